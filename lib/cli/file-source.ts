// A ByteSource over a local file: positional reads, nothing read that the engine does not ask for. The
// reads are synchronous: on a local disk a promise per open, stat, read and close cost a third of a scan of
// many small files (measured: `npm run bench -- small`), and the CLI has nothing else to do meanwhile.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from '../formats/types';

interface FileSource extends ByteSource {
  size: number;
  close(): Promise<void>;
}

/**
 * The engine's first read (classify.ts reads the first 64 KiB): done when the file is opened, so a file
 * shorter than that needs no stat to know its size. Most model files in a folder of configs and small
 * checkpoints are.
 */
const HEAD = 64 * 1024;
/** Where the head is read before it is copied out at its real length (one file is opened at a time). */
const scratch = new Uint8Array(HEAD);

function readAt(fd: number, buf: Uint8Array, start: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export function openFileSource(path: string): Promise<FileSource> {
  try {
    const fd = openSync(path, 'r');
    let head: Uint8Array;
    let size: number;
    try {
      const got = readAt(fd, scratch, 0);
      head = scratch.slice(0, got);
      size = got < HEAD ? got : fstatSync(fd).size;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    let open = true;
    return Promise.resolve({
      size,
      read(start, end) {
        try {
          end = Math.min(end, size);
          if (end <= head.length) return Promise.resolve(head.subarray(Math.min(start, end), end));
          const buf = new Uint8Array(Math.max(0, end - start));
          const got = readAt(fd, buf, start);
          return Promise.resolve(got === buf.length ? buf : buf.subarray(0, got));
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
