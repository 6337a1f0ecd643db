import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { trayIconStates } from '../electron/tray-icon-state.ts';
import { hourglassPng, trayIconAssets, trayStatePng } from './generate-tray-icon.ts';

/** The RGBA pixels of one of our PNGs (single IDAT, filter 0 rows). */
function pixels(png: Buffer): { size: number; rgba: number[][] } {
  const size = png.readUInt32BE(16);
  const idatLength = png.readUInt32BE(33);
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const rgba: number[][] = [];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const at = y * (1 + size * 4) + 1 + x * 4;
      rgba.push([...raw.subarray(at, at + 4)]);
    }
  }
  return { size, rgba };
}

describe('tray icons', () => {
  it('the app icon is a valid RGBA PNG of the asked size with opaque and clear pixels', () => {
    const png = hourglassPng(16);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const { size, rgba } = pixels(png);
    expect(size).toBe(16);
    expect(rgba.map((p) => p[3])).toContain(0xff);
    expect(rgba.map((p) => p[3])).toContain(0);
  });

  it('every state looks different, at 1x and @2x, in colour and as a template', () => {
    for (const template of [false, true]) {
      for (const size of [16, 32]) {
        const images = trayIconStates.map((s) => trayStatePng(s, size, template).toString('hex'));
        expect(new Set(images).size).toBe(trayIconStates.length);
      }
    }
  });

  it('template images are black with alpha only (macOS tints them)', () => {
    for (const state of trayIconStates) {
      const { rgba } = pixels(trayStatePng(state, 32, true));
      const inked = rgba.filter((p) => p[3] !== 0);
      expect(inked.length).toBeGreaterThan(20);
      expect(inked.every((p) => p[0] === 0 && p[1] === 0 && p[2] === 0)).toBe(true);
    }
  });

  it('matches the committed assets (run `npx tsx build/generate-tray-icon.ts` after a change)', () => {
    for (const [name, bytes] of trayIconAssets()) {
      expect(readFileSync(new URL(`../assets/${name}`, import.meta.url)).equals(bytes), name).toBe(
        true,
      );
    }
  });
});
