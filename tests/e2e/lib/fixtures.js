// Test images, made at test time (no binary fixtures in git): small PNGs of clearly different
// colours and shapes, bad files of every kind, and a .y4m video for Chromium's fake webcam.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

import { OUTPUT_DIR, REPO_ROOT } from './browser.js';

export const FIXTURES_DIR = join(OUTPUT_DIR, 'fixtures');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
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

/** An 8-bit RGB PNG of `width`×`height` pixels; `pixel(x, y)` returns [r, g, b]. */
export function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small seeded generator, so that fixtures are the same on every run. */
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));

/**
 * Three visually distinct kinds of picture, varied by `seed`:
 *  - 'disc': a red disc on a light background,
 *  - 'stripes': blue horizontal stripes on white,
 *  - 'checks': a green and black checkerboard (the webcam class).
 */
export function pattern(kind, seed, width = 160, height = 120) {
  const rnd = random(seed * 7919 + kind.length);
  const jitter = () => (rnd() - 0.5) * 40;
  if (kind === 'disc') {
    const cx = width * (0.35 + 0.3 * rnd());
    const cy = height * (0.35 + 0.3 * rnd());
    const radius = Math.min(width, height) * (0.25 + 0.15 * rnd());
    const [r, g, b] = [220 + jitter(), 30 + jitter(), 40 + jitter()];
    const bg = 230 + jitter() / 2;
    return (x, y) =>
      (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2 ? [clamp(r), clamp(g), clamp(b)] : [clamp(bg), clamp(bg), clamp(bg)];
  }
  if (kind === 'stripes') {
    const period = 10 + Math.floor(rnd() * 12);
    const offset = Math.floor(rnd() * period);
    const [r, g, b] = [30 + jitter(), 60 + jitter(), 210 + jitter()];
    return (x, y) => ((y + offset) % period < period / 2 ? [clamp(r), clamp(g), clamp(b)] : [245, 245, 245]);
  }
  if (kind === 'checks') {
    const size = 12 + Math.floor(rnd() * 12);
    const [r, g, b] = [40 + jitter(), 190 + jitter(), 60 + jitter()];
    return (x, y) => ((Math.floor(x / size) + Math.floor(y / size)) % 2 ? [clamp(r), clamp(g), clamp(b)] : [15, 15, 15]);
  }
  throw new Error(`unknown pattern ${kind}`);
}

/** Writes `count` PNGs of `kind` (seeds from `firstSeed`) and returns their paths. */
export function writePatterns(kind, count, firstSeed = 1) {
  mkdirSync(FIXTURES_DIR, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const seed = firstSeed + i;
    const file = join(FIXTURES_DIR, `${kind}-${seed}.png`);
    writeFileSync(file, png(160, 120, pattern(kind, seed)));
    return file;
  });
}

/** RGB → YUV 4:2:0 planes (BT.601, limited range), as Chromium's y4m reader expects. */
function yuv420(width, height, pixel) {
  const y = Buffer.alloc(width * height);
  const u = Buffer.alloc((width / 2) * (height / 2));
  const v = Buffer.alloc((width / 2) * (height / 2));
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const [r, g, b] = pixel(i, j);
      y[j * width + i] = clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b);
      if (i % 2 === 0 && j % 2 === 0) {
        const k = (j / 2) * (width / 2) + i / 2;
        u[k] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        v[k] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
    }
  }
  return Buffer.concat([y, u, v]);
}

/** A looping fake-webcam video of `frames` different 'checks' pictures (320×240, 10 fps). */
export function writeWebcamVideo(frames = 8) {
  mkdirSync(FIXTURES_DIR, { recursive: true });
  const [width, height] = [320, 240];
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, 'ascii')];
  for (let f = 0; f < frames; f++) {
    parts.push(Buffer.from('FRAME\n', 'ascii'), yuv420(width, height, pattern('checks', 100 + f, width, height)));
  }
  const file = join(FIXTURES_DIR, 'webcam-checks.y4m');
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

/** Files the page must refuse, each with the words its message must contain. */
export function writeBadFiles() {
  mkdirSync(FIXTURES_DIR, { recursive: true });
  const coffee = readFileSync(join(REPO_ROOT, 'tests', 'fixtures', 'images', 'coffee.jpg'));
  const bad = {
    'not-an-image.txt': { bytes: Buffer.from('These are notes, not a picture.\n'), expect: /not an image/i },
    'empty.png': { bytes: Buffer.alloc(0), expect: /empty/i },
    // A JPEG whose header survives but whose data is noise, cut short.
    'corrupt.jpg': {
      bytes: Buffer.concat([coffee.subarray(0, 600), Buffer.alloc(300, 0x5a)]),
      expect: /damaged|incomplete/i,
    },
    // Tiny on disk, but wider than the 20,000-pixel limit.
    'huge.png': { bytes: png(25_000, 2, () => [128, 128, 128]), expect: /too large/i },
  };
  return Object.entries(bad).map(([name, { bytes, expect }]) => {
    const file = join(FIXTURES_DIR, name);
    writeFileSync(file, bytes);
    return { name, file, expect };
  });
}
