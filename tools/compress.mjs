#!/usr/bin/env node
// Trunk post-build hook (see Trunk.toml): writes a brotli (.br) and a gzip (.gz) copy next to
// each large file of the built app, for static hosts that serve precompressed files (nginx
// `brotli_static`/`gzip_static`, Caddy `precompressed`, Netlify, Cloudflare Pages, ...) with
// Content-Encoding, so that a first visit downloads each file at the best encoding the browser
// takes. Brotli at its highest quality, which no server spends on the fly, saves about a third
// of gzip's bytes on the engine's wasm. The copies are not precached (tools/precache.mjs skips
// them): the service worker caches what the browser decoded.
//
//   node tools/compress.mjs [DIR]    # DIR defaults to $TRUNK_STAGING_DIR (set by trunk for hooks)
//
// Brotli's highest quality takes a while on the 10 MB engine (tens of seconds on a busy machine),
// so each result is kept under $CARGO_TARGET_DIR/ajuste-compressed/, named by the SHA-256 of what
// it compresses: a rebuild that did not change a file (`tools/serve.sh` after an edit to the page,
// say) copies its compressed bytes instead of compressing again.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { filesUnder, stagingDir } from './build-output.mjs';

/** What is worth compressing: text and code, and the weights (their f16 part and int8 part
 * compress a little). Images are compressed already. */
const EXTENSIONS = new Set(['.wasm', '.js', '.css', '.html', '.safetensors', '.webmanifest']);
/** Below this, a response's headers outweigh what compression saves. */
const MIN_BYTES = 1024;
/** Written by the other post-build hook at the same time (and fetched uncompressed by sw.js). */
const SKIP = new Set(['precache.js', 'sw.js']);

const dir = stagingDir('compress.mjs');

const cacheDir = join(process.env.CARGO_TARGET_DIR ?? join(tmpdir(), 'ajuste'), 'ajuste-compressed');
mkdirSync(cacheDir, { recursive: true });

/** `compress(bytes)`, from the cache when these bytes were compressed before. */
function cached(key, compress) {
  const file = join(cacheDir, key);
  if (existsSync(file)) return readFileSync(file);
  const out = compress();
  // Written aside and renamed: a build running at the same time never reads half a file.
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, out);
  renameSync(part, file);
  return out;
}

let raw = 0;
let brotli = 0;
for (const path of filesUnder(dir)) {
  const name = path.slice(dir.length + 1);
  if (SKIP.has(name) || !EXTENSIONS.has(extname(path)) || statSync(path).size < MIN_BYTES) continue;
  const bytes = readFileSync(path);
  const hash = createHash('sha256').update(bytes).digest('hex');
  const br = cached(`${hash}.br`, () =>
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_LGWIN]: 24,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, cached(`${hash}.gz`, () => gzipSync(bytes, { level: 9 })));
  raw += bytes.length;
  brotli += br.length;
}
console.log(`compress: ${(raw / 1e6).toFixed(1)} MB → ${(brotli / 1e6).toFixed(1)} MB brotli (.br and .gz next to each file)`);
