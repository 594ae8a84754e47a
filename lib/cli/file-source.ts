// A ByteSource over a local file: positional reads, nothing read that the engine does not ask for.
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../formats/types';

export interface FileSource extends ByteSource {
  size: number;
  close(): Promise<void>;
}

export async function openFileSource(path: string): Promise<FileSource> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(start, end) {
      const n = Math.max(0, Math.min(end, size) - start);
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await handle.read(buf, got, n - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === n ? buf : buf.subarray(0, got);
    },
    close: () => handle.close(),
  };
}
