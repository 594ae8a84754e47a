// A writable stream that keeps what is written: a CLI's stdout or stderr in a test.
import { Writable } from 'node:stream';

export class Capture extends Writable {
  text = '';
  /** Each write apart (the CLI batches its lines). */
  writes: string[] = [];
  _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    this.writes.push(chunk.toString());
    done();
  }
}
