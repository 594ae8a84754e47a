// A ByteSource over a local file: positional reads, nothing read that the engine does not ask for. The
// reads are synchronous: on a local disk a promise per open, stat, read and close cost a third of a scan of
// many small files (measured: `npm run bench -- small`), and the CLI has nothing else to do meanwhile.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../formats/types';

interface FileSource extends ByteSource {
  size: number;
  close(): Promise<void>;
}

export function openFileSource(path: string): Promise<FileSource> {
  try {
    const fd = openSync(path, 'r');
    let size: number;
    try {
      size = fstatSync(fd).size;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    let open = true;
    return Promise.resolve({
      size,
      read(start, end) {
        try {
          const n = Math.max(0, Math.min(end, size) - start);
          const buf = new Uint8Array(n);
          let got = 0;
          while (got < n) {
            const bytesRead = readSync(fd, buf, got, n - got, start + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
          return Promise.resolve(got === n ? buf : buf.subarray(0, got));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
      close() {
        if (open) {
          open = false;
          closeSync(fd);
        }
        return Promise.resolve();
      },
    });
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
