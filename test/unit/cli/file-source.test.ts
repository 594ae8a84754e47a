// The CLI's local ByteSource: the first 64 KiB are read when the file is opened (a shorter file needs no
// stat), reads after them go to the file, and every read gives back exactly the file's bytes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFileSource } from '../../../lib/cli/file-source';

const temp = mkdtempSync(join(tmpdir(), 'picklens-source-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function file(name: string, length: number): { path: string; bytes: Uint8Array } {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 8)) & 255;
  const path = join(temp, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

describe('openFileSource', () => {
  for (const length of [0, 10, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 300_000]) {
    it(`a file of ${length} bytes: its size, and reads inside, across and past the first 64 KiB`, async () => {
      const { path, bytes } = file(`f${length}`, length);
      const src = await openFileSource(path);
      expect(src.size).toBe(length);
      for (const [a, b] of [
        [0, 16],
        [0, 64 * 1024],
        [65_000, 70_000],
        [64 * 1024, 64 * 1024 + 100],
        [length - 5, length + 50],
        [length + 10, length + 20],
      ] as const) {
        const got = await src.read(Math.max(0, a), Math.max(0, b));
        expect(Array.from(got), `${a}–${b}`).toEqual(
          Array.from(bytes.subarray(Math.max(0, a), Math.max(0, b))),
        );
      }
      await src.close();
      await src.close(); // twice is harmless
    });
  }

  it('two files opened one after the other keep their own first bytes', async () => {
    const a = file('a', 100);
    const b = file('b', 50);
    const sa = await openFileSource(a.path);
    const sb = await openFileSource(b.path);
    expect(Array.from(await sa.read(0, 100))).toEqual(Array.from(a.bytes));
    expect(Array.from(await sb.read(0, 50))).toEqual(Array.from(b.bytes));
    await sa.close();
    await sb.close();
  });

  it('a missing file is a rejected promise with the reason', async () => {
    await expect(openFileSource(join(temp, 'nope'))).rejects.toThrow(/ENOENT/);
  });
});
