#!/usr/bin/env node
// Trunk post-build hook (see Trunk.toml): lists every file of the built app with its SHA-256 and
// writes them, with a version derived from all of them, to precache.js next to sw.js. The service
// worker (www/sw.js) imports it, caches exactly those files under "ajuste-app@<scope>#<version>" and
// serves them from there, so the app works offline; any change to any file makes a new version.
//
//   node tools/precache.mjs [DIR]    # DIR defaults to $TRUNK_STAGING_DIR (set by trunk for hooks)
//
// Trunk hashes some file names (the page's .js/.wasm, the CSS) and not others (the worker's files,
// the weights): listing what the build actually produced, after it produced it, covers both.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

import { filesUnder, stagingDir } from './build-output.mjs';

// Not precached: the service worker itself (the browser fetches it for update checks) and this
// list (imported by it).
const SKIP = new Set(['sw.js', 'precache.js']);
// Nor the precompressed copies tools/compress.mjs writes next to files (a static host serves
// them in place of the file, with Content-Encoding): the cache keeps the decoded file.
const COMPRESSED = /\.(br|gz)$/;

const dir = stagingDir('precache.mjs');

const files = filesUnder(dir)
  .map((path) => relative(dir, path).split(sep).join('/'))
  .filter((path) => !SKIP.has(path) && !COMPRESSED.test(path))
  .sort()
  .map((path) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: createHash('sha256').update(bytes).digest('base64'), size: bytes.length };
  });
if (!files.some((f) => f.path === 'index.html')) {
  console.error(`precache: no index.html in ${dir}`);
  process.exit(1);
}

const version = createHash('sha256')
  .update(files.map((f) => `${f.path}\0${f.sha256}\n`).join(''))
  .digest('hex')
  .slice(0, 16);
const list = { version, files: files.map(({ path, sha256 }) => ({ path, sha256 })) };
writeFileSync(
  join(dir, 'precache.js'),
  '// Written by tools/precache.mjs after each build: what sw.js caches (path, SHA-256 in base64).\n' +
    `self.AJUSTE_PRECACHE = ${JSON.stringify(list, null, 1)};\n`,
);
const megabytes = files.reduce((sum, f) => sum + f.size, 0) / 1e6;
console.log(`precache: version ${version}, ${files.length} files, ${megabytes.toFixed(1)} MB`);
