#!/usr/bin/env node
// Draws Holdfast's icons as PNGs with no image library: build/icon.png (512×512, electron-builder makes
// the .icns/.ico and Linux sizes from it) and the tray icons build/tray/tray-{ok,failed,running}.png
// (32×32, plus @2x) whose colour says how the last backups went. Run after changing the design:
// `node build/make-icons.mjs`; the PNGs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA pixels (size×size×4) → PNG bytes. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Renders with 4×4 supersampling; `shade(x, y)` takes coordinates in 0..1 and returns [r, g, b, a]
 * (0..255) or null for transparent.
 */
function render(size, shade) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy += 1) {
        for (let sx = 0; sx < samples; sx += 1) {
          const colour = shade((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          const alpha = colour[3] / 255;
          r += colour[0] * alpha;
          g += colour[1] * alpha;
          b += colour[2] * alpha;
          a += alpha;
        }
      }
      const at = (y * size + x) * 4;
      const n = samples * samples;
      if (a > 0) {
        pixels[at] = Math.round(r / a);
        pixels[at + 1] = Math.round(g / a);
        pixels[at + 2] = Math.round(b / a);
      }
      pixels[at + 3] = Math.round((a / n) * 255);
    }
  }
  return encodePng(size, pixels);
}

const inRoundedSquare = (x, y, inset, radius) => {
  const cx = Math.min(Math.max(x, inset + radius), 1 - inset - radius);
  const cy = Math.min(Math.max(y, inset + radius), 1 - inset - radius);
  return Math.hypot(x - cx, y - cy) <= radius && x >= inset && x <= 1 - inset && y >= inset && y <= 1 - inset;
};

/** A cylinder (the database) drawn as bands, inside a ring (held fast). */
function emblem(x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  if (r >= 0.3 && r <= 0.36) return true;
  const inBody = Math.abs(dx) <= 0.14 && dy >= -0.13 && dy <= 0.13;
  const topEllipse = (dx / 0.14) ** 2 + ((dy + 0.13) / 0.045) ** 2 <= 1;
  const bottomEllipse = (dx / 0.14) ** 2 + ((dy - 0.13) / 0.045) ** 2 <= 1;
  const band = [-0.045, 0.045].some((at) => Math.abs(dy - at - (dx / 0.14) ** 2 * 0.03) <= 0.012);
  return (inBody || topEllipse || bottomEllipse) && !band;
}

const NAVY = [22, 48, 82, 255];
const WHITE = [255, 255, 255, 255];
const STATUS = { ok: [34, 160, 90, 255], failed: [214, 48, 49, 255], running: [38, 120, 220, 255] };

function appIcon(x, y) {
  if (!inRoundedSquare(x, y, 0.06, 0.18)) return null;
  return emblem(x, y) ? WHITE : NAVY;
}

/** The tray: the same emblem on a disc of the status colour, readable at 16 px on light and dark panels. */
function trayIcon(status) {
  return (x, y) => {
    const r = Math.hypot(x - 0.5, y - 0.5);
    if (r > 0.48) return null;
    if (r > 0.42) return WHITE;
    return emblem(x, y) ? WHITE : STATUS[status];
  };
}

mkdirSync(join(root, 'tray'), { recursive: true });
writeFileSync(join(root, 'icon.png'), render(512, appIcon));
for (const status of Object.keys(STATUS)) {
  writeFileSync(join(root, 'tray', `tray-${status}.png`), render(32, trayIcon(status)));
  writeFileSync(join(root, 'tray', `tray-${status}@2x.png`), render(64, trayIcon(status)));
}
process.stdout.write('icons written: build/icon.png, build/tray/tray-{ok,failed,running}[@2x].png\n');
