// Checks a zip the way strict readers do (PKWARE APPNOTE 4.3.12): every central directory entry's CRC-32 and
// size match its member's uncompressed bytes. Node's zlib computes the CRC, independently of lib/db's.
import { crc32 } from 'node:zlib';
import { unzipSync } from 'fflate';

export function checkZip(zip: Uint8Array): { name: string; crc: number; size: number; ok: boolean }[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const members = unzipSync(zip);
  const out: { name: string; crc: number; size: number; ok: boolean }[] = [];
  for (let i = 0; i + 46 <= zip.length; i++) {
    if (dv.getUint32(i, true) !== 0x02014b50) continue;
    const crc = dv.getUint32(i + 16, true);
    const size = dv.getUint32(i + 24, true);
    const nameLength = dv.getUint16(i + 28, true);
    const name = new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength));
    const bytes = members[name];
    out.push({ name, crc, size, ok: !!bytes && crc32(bytes) === crc && bytes.length === size });
    i += 45 + nameLength;
  }
  return out;
}
