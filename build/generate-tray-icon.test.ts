import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hourglassPng } from './generate-tray-icon.ts';

describe('tray icon', () => {
  it('is a valid RGBA PNG of the asked size with both opaque and clear pixels', () => {
    const png = hourglassPng(16);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(16);
    expect(png.readUInt32BE(20)).toBe(16);
    const idatLength = png.readUInt32BE(33);
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    const alphas = [...pixels].filter((_, i) => i % 65 !== 0 && (i % 65) % 4 === 0);
    expect(alphas).toContain(0xff);
    expect(alphas).toContain(0);
  });

  it('matches the committed assets/tray-icon.png', () => {
    expect(
      readFileSync(new URL('../assets/tray-icon.png', import.meta.url)).equals(hourglassPng(16)),
    ).toBe(true);
  });
});
