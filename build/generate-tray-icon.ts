/** Writes assets/tray-icon.png and tray-icon@2x.png: a small hourglass drawn in code (no binary source). */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Is pixel (x, y) of a size×size canvas inside the hourglass outline? */
function inHourglass(x: number, y: number, size: number): boolean {
  const u = (x + 0.5) / size;
  const v = (y + 0.5) / size;
  if (v < 0.06 || v > 0.94) return false;
  if (v < 0.12 || v > 0.88) return u > 0.18 && u < 0.82;
  const half = Math.abs(v - 0.5) * 0.8 + 0.05;
  return Math.abs(u - 0.5) < half;
}

/** Encodes an RGBA hourglass icon as PNG. */
export function hourglassPng(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      if (inHourglass(x, y, size)) row.set([0x1f, 0x6f, 0xeb, 0xff], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../assets/tray-icon.png', import.meta.url), hourglassPng(16));
  writeFileSync(new URL('../assets/tray-icon@2x.png', import.meta.url), hourglassPng(32));
}
