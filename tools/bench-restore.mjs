#!/usr/bin/env node
// How long the page takes to bring back a project kept on the device, in headless Chromium:
// makes a project of N photo-sized images (2 classes), waits until it is saved with its
// features, then reloads the page R times and times each reload until (a) every image is
// back with its picture and (b) a d = 0 training run, started then, is done. Then adds one
// image R times to the full project and reads what each autosave wrote and how long it took
// (the storage-status line's data-written / data-write-ms), and saves the .ajuste file R
// times (time to the download; the engine's memory, which only grows, after).
// Prints a markdown table (median of the runs) and the storage the project takes.
//
//   node tools/bench-restore.mjs [--images 100] [--runs 3] [--webgpu]
//
// Uses the built app (dist/, or AJUSTE_DIST) and the browser-test helpers. Without --webgpu
// Chromium has no WebGPU adapter and the engine runs on its CPU fallback (SwiftShader would
// spend minutes computing the first features). Run it on an idle machine.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { card, configure, seconds, serveApp, upload, waitFeatures, waitState } from '../tests/e2e/lib/app.js';
import { OUTPUT_DIR, launchBrowser } from '../tests/e2e/lib/browser.js';
import { pattern, png } from '../tests/e2e/lib/fixtures.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    webgpu: { type: 'boolean', default: false },
  },
});
const IMAGES = Number(args.images);
const RUNS = Number(args.runs);
const KINDS = ['disc', 'stripes'];

/** `count` 640×480 pictures of `kind` with per-pixel noise, so that they compress like photos. */
function photos(kind, count, first = 0) {
  const dir = join(OUTPUT_DIR, 'bench-restore');
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const base = pattern(kind, 1000 + first + i, 640, 480);
    let s = 7 + first + i;
    const noise = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return (s % 41) - 20;
    };
    const file = join(dir, `${kind}-${first + i}.png`);
    const clamp = (v) => Math.max(0, Math.min(255, v));
    writeFileSync(file, png(640, 480, (x, y) => base(x, y).map((v) => clamp(v + noise()))));
    return file;
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function allBack(page, count) {
  return page.waitForFunction(
    (count) => {
      const samples = [...document.querySelectorAll('[data-testid=sample]')];
      return (
        samples.length === count &&
        samples.every((s) => s.getAttribute('data-accepted') === 'true' && s.querySelector('img')?.src)
      );
    },
    count,
    { timeout: 10 * 60_000, polling: 20 },
  );
}

async function waitSaved(page) {
  const handle = await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=storage-status]');
      const state = el?.getAttribute('data-state');
      return state === 'saved' || state === 'failed' ? { state, text: el.textContent.trim() } : null;
    },
    null,
    { timeout: 10 * 60_000, polling: 50 },
  );
  const status = await handle.jsonValue();
  if (status.state !== 'saved') throw new Error(`not saved: ${status.text}`);
  return status.text;
}

const server = await serveApp();
const { page, close } = await launchBrowser({ logPrefix: 'bench', log: false, webgpu: args.webgpu });
try {
  await page.goto(server.url);
  await waitState(page, 'ready');
  const backend = await page.locator('[data-testid=backend]').innerText().catch(() => '?');
  await configure(page, { freezeDepth: 0, epochs: 10 });
  const t0 = Date.now();
  for (const [index, kind] of KINDS.entries()) {
    const files = photos(kind, IMAGES / KINDS.length);
    for (let at = 0; at < files.length; at += 25) await upload(page, index, files.slice(at, at + 25));
  }
  // Thousands of photos take longer than a test waits for their features on the CPU fallback.
  await waitFeatures(page, 2 * 60 * 60_000);
  const madeIn = Date.now() - t0;
  // The save that follows the last feature is the one that keeps them all.
  await page.waitForTimeout(2000);
  const stored = await waitSaved(page);
  const usage = await page.evaluate(() => navigator.storage.estimate());

  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const start = Date.now();
    await page.reload();
    await allBack(page, IMAGES);
    const back = Date.now() - start;
    // Train at once: the plain views' features came with the project (augmented views are
    // computed in the background, and training takes those that are ready).
    await waitState(page, ['ready', 'done']);
    await page.locator('[data-testid=train-button]').click();
    await waitState(page, 'done');
    runs.push({ back, trained: Date.now() - start });
    console.log(`run ${run + 1}: ${JSON.stringify(runs.at(-1))}`);
    await waitSaved(page);
  }
  // One image more, R times: what each autosave writes.
  const writes = [];
  for (let run = 0; run < RUNS; run++) {
    await upload(page, 0, photos('disc', 1, 100_000 + run));
    await page.waitForFunction(
      (count) => {
        const el = document.querySelector('[data-testid=storage-status]');
        return el?.getAttribute('data-state') === 'saved' && el.textContent.includes(` ${count} images`);
      },
      IMAGES + run + 1,
      { timeout: 10 * 60_000, polling: 20 },
    );
    const status = page.locator('[data-testid=storage-status]');
    const bytes = Number(await status.getAttribute('data-written'));
    const ms = Number(await status.getAttribute('data-write-ms'));
    writes.push({ bytes, ms });
    console.log(`one image more: ${JSON.stringify(writes.at(-1))}`);
  }
  // The .ajuste file, R times.
  const saves = [];
  for (let run = 0; run < RUNS; run++) {
    const start = Date.now();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10 * 60_000 }),
      page.locator('[data-testid=save-project]').click(),
    ]);
    await download.path();
    saves.push(Date.now() - start);
  }
  const engineBytes = Number(await page.locator('[data-engine-bytes]').getAttribute('data-engine-bytes'));
  const row = (what, key) => `| ${what} | ${seconds(median(runs.map((r) => r[key])))} |`;
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const details = Object.entries(usage.usageDetails ?? {}).map(([what, bytes]) => `${what} ${mb(bytes)}`);
  console.log(`
${IMAGES} images (640×480 PNG with noise), ${backend.trim()}, median of ${RUNS} reloads:

| from reload to | time |
|---|---|
${row('every image back with its picture', 'back')}
${row('Train clicked then, a d = 0 run (10 epochs) done', 'trained')}

| autosave after one image more: bytes written | ${(median(writes.map((w) => w.bytes)) / 1e3).toFixed(0)} kB |
| autosave after one image more: time | ${median(writes.map((w) => w.ms)).toFixed(0)} ms |
| Save project (.ajuste) to the download | ${seconds(median(saves))} |
| engine memory after (WebAssembly, only grows) | ${mb(engineBytes)} |

Making the project (upload, every feature): ${seconds(madeIn)}. Kept: "${stored}";
site storage (navigator.storage.estimate): ${mb(usage.usage)}${details.length ? ` (${details.join(', ')})` : ''}.`);
} finally {
  await close();
  await server.close();
}
