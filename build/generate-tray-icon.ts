/**
 * Writes the tray icons under assets/, drawn in code (no binary source): one per tray state, as
 * coloured PNGs (Linux, Windows) and monochrome macOS template images, each at 1x (16 px) and
 * @2x (32 px). `tray-icon.png` is the plain app hourglass.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { trayIconFile, trayIconStates, type TrayIconState } from '../electron/tray-icon-state.ts';

type Rgba = readonly [number, number, number, number];

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

/** On the hourglass's edge (the pixel is inside, a neighbour is not): the signed-out outline. */
function onEdge(x: number, y: number, size: number): boolean {
  const w = Math.max(1, Math.round(size / 16));
  return (
    inHourglass(x, y, size) &&
    [
      [w, 0],
      [-w, 0],
      [0, w],
      [0, -w],
    ].some(([dx = 0, dy = 0]) => !inHourglass(x + dx, y + dy, size))
  );
}

/** The badge in the lower right corner that tells the states apart without colour. */
function inBadge(state: TrayIconState, x: number, y: number, size: number): boolean {
  const u = (x + 0.5) / size - 0.78;
  const v = (y + 0.5) / size - 0.78;
  const r = Math.hypot(u, v);
  switch (state) {
    case 'signed-out':
    case 'idle':
      return false;
    case 'active':
      return r < 0.2;
    case 'pending':
      return r < 0.21 && r > 0.11;
    case 'expiring':
      return Math.abs(u) < 0.2 && v > -0.2 && v < 0.2 && Math.abs(u) < (v + 0.2) / 2;
    case 'error':
      return Math.abs(u) < 0.2 && Math.abs(v) < 0.2 && Math.abs(Math.abs(u) - Math.abs(v)) < 0.07;
  }
}

const palette: Record<TrayIconState, Rgba> = {
  'signed-out': [0x80, 0x80, 0x80, 0xff],
  idle: [0x1f, 0x6f, 0xeb, 0xff],
  active: [0x1a, 0x7f, 0x37, 0xff],
  pending: [0xbf, 0x87, 0x00, 0xff],
  expiring: [0xd1, 0x24, 0x2f, 0xff],
  error: [0xd1, 0x24, 0x2f, 0xff],
};

function png(size: number, pixel: (x: number, y: number) => Rgba | null): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const colour = pixel(x, y);
      if (colour) row.set(colour, 1 + x * 4);
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

/** Encodes the plain RGBA hourglass icon as PNG. */
export function hourglassPng(size: number): Buffer {
  return png(size, (x, y) => (inHourglass(x, y, size) ? palette.idle : null));
}

/**
 * The icon of one tray state: the hourglass (an outline when signed out) plus the state's badge;
 * `template` draws black on transparent for the macOS menu bar, which tints it.
 */
export function trayStatePng(state: TrayIconState, size: number, template: boolean): Buffer {
  const ink: Rgba = template ? [0, 0, 0, 0xff] : palette[state];
  const badged = state !== 'signed-out' && state !== 'idle';
  // A clear gap around the badge keeps it readable where it overlaps the glass.
  const nearBadge = (x: number, y: number) =>
    badged && Math.hypot((x + 0.5) / size - 0.78, (y + 0.5) / size - 0.78) < 0.28;
  const body = (x: number, y: number) =>
    !nearBadge(x, y) && (state === 'signed-out' ? onEdge(x, y, size) : inHourglass(x, y, size));
  return png(size, (x, y) => (inBadge(state, x, y, size) || body(x, y) ? ink : null));
}

/** Every tray icon file and its bytes. */
export function trayIconAssets(): Map<string, Buffer> {
  const files = new Map<string, Buffer>([
    // The app icon electron-builder turns into .icns / .ico / the Linux icon set.
    ['icon.png', hourglassPng(512)],
    ['tray-icon.png', hourglassPng(16)],
    ['tray-icon@2x.png', hourglassPng(32)],
  ]);
  for (const state of trayIconStates) {
    for (const platform of ['linux', 'darwin'] as const) {
      const name = trayIconFile(state, platform);
      files.set(name, trayStatePng(state, 16, platform === 'darwin'));
      files.set(name.replace(/\.png$/, '@2x.png'), trayStatePng(state, 32, platform === 'darwin'));
    }
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, bytes] of trayIconAssets()) {
    writeFileSync(new URL(`../assets/${name}`, import.meta.url), bytes);
  }
}
