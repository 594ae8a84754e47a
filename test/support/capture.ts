// A writable stream that keeps what is written (a CLI's stdout or stderr in a test), and a CLI run on a replica.
import { Writable } from 'node:stream';
import type { FetchLike } from '../../lib/hub/http-source';
import type { Replica } from '../hub/server';
import { replicaFetch } from './replica-client';

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

type CliMain = (
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  fetchImpl?: FetchLike,
) => Promise<number>;

/** A CLI's `main` run against a replica (`--endpoint` its URL, its certificate trusted): code, stdout, stderr. */
export async function runOnReplica(main: CliMain, hub: Replica, args: string[]) {
  const out = new Capture();
  const err = new Capture();
  const code = await main([...args, '--endpoint', hub.url], out, err, replicaFetch(hub.cert));
  return { code, out: out.text, err: err.text };
}
