#!/usr/bin/env node
// Draws the app's icons (www/icons/icon-192.png and icon-512.png, named by
// www/manifest.webmanifest): three white sliders ("ajuste" = adjustment) on a rounded square of
// the page's accent colour. Made for this project; nothing is downloaded or traced from
// elsewhere. Regenerate with `node tools/make-icons.mjs` (plain Node.js, no dependencies).

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'www', 'icons');
const ACCENT = [0x2f, 0x6f, 0xde]; // --accent in www/style.css
const WHITE = [255, 255, 255];

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** An 8-bit RGBA PNG; `rgba` holds width × height × 4 bytes. */
function png(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The colour at (x, y) in a unit square, or null (transparent). */
function shade(x, y) {
  // Rounded square, corner radius 0.19.
  const r = 0.19;
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  // Three sliders: a track and a ring-shaped knob each.
  for (const [row, knob] of [
    [0.31, 0.37],
    [0.5, 0.63],
    [0.69, 0.47],
  ]) {
    const d = Math.hypot(x - knob, y - row);
    if (d < 0.09) return d < 0.047 ? ACCENT : WHITE;
    if (x > 0.23 && x < 0.77 && Math.abs(y - row) < 0.027) return WHITE;
  }
  return ACCENT;
}

function icon(size, samples = 4) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) rgba.set([Math.round(r / a), Math.round(g / a), Math.round(b / a)], i);
      rgba[i + 3] = Math.round((255 * a) / samples ** 2);
    }
  }
  return png(size, size, rgba);
}

mkdirSync(OUT, { recursive: true });
for (const size of [192, 512]) {
  const file = join(OUT, `icon-${size}.png`);
  writeFileSync(file, icon(size));
  console.log(file);
}
