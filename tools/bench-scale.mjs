#!/usr/bin/env node
// Thousands of images in headless Chromium: for each N, a folder of N generated JPEG photos in
// 10 classes (varied sizes up to 4000×3000, the layout `ajuste train --data` reads) is imported
// through the folder input (with the most files the page held in flight, read but not yet
// answered by the engine); then features, Train at d = 0, the features of d = 2 and Train at
// d = 2. Prints a markdown table: time to import, features images/s, seconds per epoch, the time
// from Train to its first step, and memory — the worker's WebAssembly memory (reported by the
// engine), the page's JS heap and the browser's memory (proportional set size, summed over its processes; Linux),
// each the most seen while sampling twice a second.
//
//   node tools/bench-scale.mjs [--images 100,1000,5000] [--epochs 3] [--webgpu] [--augment]
//
// Uses the built app (dist/, or AJUSTE_DIST) and the browser-test helpers. Without --webgpu
// Chromium has no WebGPU adapter and the engine runs on its CPU fallback. Augmentation is off
// unless --augment (each image is then 5 views: 5 times the feature work). The photos are made
// once by Chromium's own JPEG encoder into tests/e2e/output/bench-scale/ (kept for the next
// run; about 0.6 MB each). Run it on an idle machine: the times are worth nothing otherwise.

import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { configure, importProgress, seconds, serveApp, waitFeatures, waitState } from '../tests/e2e/lib/app.js';
import { OUTPUT_DIR, launchBrowser } from '../tests/e2e/lib/browser.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '100,1000,5000' },
    epochs: { type: 'string', default: '3' },
    webgpu: { type: 'boolean', default: false },
    augment: { type: 'boolean', default: false },
  },
});
const COUNTS = args.images.split(',').map(Number);
const EPOCHS = Number(args.epochs);
const CLASSES = 10;
// As benches/scale.rs makes them: one in ten at 4000×3000, the others 640×480 to 2048×1536.
const SIZES = [
  [640, 480],
  [1280, 960],
  [2048, 1536],
  [4000, 3000],
];
const HOUR = 60 * 60_000;
const ROOT = join(OUTPUT_DIR, 'bench-scale');
const POOL = join(ROOT, 'photos');

const className = (c) => `c${c}`;
const photoName = (i) => `photo-${String(i).padStart(5, '0')}.jpg`;

/** Photos 0..count in POOL/<class>/ (made by Chromium where missing). */
async function makePhotos(count) {
  const missing = [];
  for (let i = 0; i < count; i++) {
    if (!existsSync(join(POOL, className(i % CLASSES), photoName(i)))) missing.push(i);
  }
  if (missing.length === 0) return;
  console.log(`making ${missing.length} photos in ${POOL}`);
  for (let c = 0; c < CLASSES; c++) mkdirSync(join(POOL, className(c)), { recursive: true });
  const { page, close } = await launchBrowser({ webgpu: false, log: false });
  try {
    for (const i of missing) {
      const [width, height] = i % 10 === 9 ? SIZES[3] : SIZES[i % 3];
      // A smooth colour field per class with per-pixel noise, so that it compresses like a photo.
      const base64 = await page.evaluate(
        async ({ i, width, height, classes }) => {
          const canvas = new OffscreenCanvas(width, height);
          const context = canvas.getContext('2d');
          const pixels = context.createImageData(width, height);
          const c = i % classes;
          let s = i + 1;
          for (let y = 0, at = 0; y < height; y++) {
            const v = y / height;
            for (let x = 0; x < width; x++, at += 4) {
              s = (s * 1103515245 + 12345) >>> 0;
              const noise = (s >>> 16) % 24;
              const u = x / width;
              pixels.data[at] = c * 25 + u * 60 + noise;
              pixels.data[at + 1] = 255 - c * 20 - v * 80 + noise;
              pixels.data[at + 2] = (u + v) * 60 + c * 10 + noise;
              pixels.data[at + 3] = 255;
            }
          }
          context.putImageData(pixels, 0, 0);
          const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
          const bytes = new Uint8Array(await blob.arrayBuffer());
          let text = '';
          for (let at = 0; at < bytes.length; at += 0x8000) text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
          return btoa(text);
        },
        { i, width, height, classes: CLASSES },
      );
      writeFileSync(join(POOL, className(i % CLASSES), photoName(i)), Buffer.from(base64, 'base64'));
    }
  } finally {
    await close();
  }
}

/** A folder of the first `count` photos (hard links into the pool); its size in bytes. */
function photoFolder(count) {
  const dir = join(ROOT, `set-${count}`);
  rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const from = join(POOL, className(i % CLASSES), photoName(i));
    mkdirSync(join(dir, className(i % CLASSES)), { recursive: true });
    linkSync(from, join(dir, className(i % CLASSES), photoName(i)));
    bytes += statSync(from).size;
  }
  return { dir, bytes };
}

/**
 * Memory of the browser whose profile is in an `ajuste-chromium-` folder, over all its processes:
 * the sum of their proportional set sizes (a page shared by k processes counts 1/k in each), so
 * that the shared libraries every Chromium process maps are counted once.
 */
function browserMemoryBytes() {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter(Boolean)
    .map(([, pid, ppid, command]) => ({ pid: +pid, ppid: +ppid, command }));
  const main = rows.find((r) => r.command.includes('--user-data-dir=') && r.command.includes('ajuste-chromium-') && !r.command.includes('--type='));
  if (!main) return NaN;
  const tree = new Set([main.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (tree.has(r.ppid) && !tree.has(r.pid)) tree.add(r.pid), (grew = true);
  }
  let bytes = 0;
  for (const pid of tree) {
    try {
      const pss = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
      bytes += pss ? Number(pss[1]) * 1024 : 0;
    } catch {
      // The process ended meanwhile.
    }
  }
  return bytes;
}

/** Samples memory twice a second until stopped; the most of each. */
function watchMemory(page) {
  const peak = { engine: 0, heap: 0, browser: 0 };
  let stopped = false;
  const sample = async () => {
    const now = await page
      .evaluate(() => ({
        engine: Number(document.querySelector('[data-testid=memory-plan]')?.getAttribute('data-engine-bytes') ?? 0),
        heap: performance.memory?.usedJSHeapSize ?? 0,
      }))
      .catch(() => ({ engine: 0, heap: 0 }));
    peak.engine = Math.max(peak.engine, now.engine);
    peak.heap = Math.max(peak.heap, now.heap);
    peak.browser = Math.max(peak.browser, browserMemoryBytes() || 0);
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await new Promise((ok) => setTimeout(ok, 500));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return peak;
  };
}

/** Clicks Train: seconds to the first step, and per epoch. */
async function trainTimed(page) {
  await page.locator('[data-testid=train-button]').click();
  const clicked = Date.now();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=train-progress]')?.getAttribute('data-steps-done')) > 0, null, {
    timeout: HOUR,
    polling: 20,
  });
  const firstStep = Date.now() - clicked;
  const reached = await waitState(page, ['done', 'ready'], HOUR);
  if (reached !== 'done') throw new Error('training ended without a classifier');
  return { firstStep, perEpoch: (Date.now() - clicked) / EPOCHS };
}

async function run(server, count) {
  const { dir, bytes } = photoFolder(count);
  const { page, close } = await launchBrowser({ logPrefix: `bench-${count}`, log: false, webgpu: args.webgpu });
  try {
    page.on('crash', () => console.log(`[bench-${count}] page crashed`));
    await page.goto(server.url);
    await waitState(page, 'ready');
    const backend = (await page.locator('[data-testid=backend]').innerText().catch(() => '?')).trim();
    await configure(page, { augment: args.augment, epochs: EPOCHS });
    // The page's two starting classes take the first two folders' names.
    for (const c of [0, 1]) await page.locator('[data-testid=class-card]').nth(c).locator('[data-testid=class-name]').fill(className(c));
    const stop = watchMemory(page);
    const t0 = Date.now();
    await page.locator('[data-testid=folder-input]').setInputFiles(dir);
    let last = '';
    let maxInFlight;
    for (;;) {
      const now = await importProgress(page);
      if (now?.state === 'done' && now.total === count) {
        maxInFlight = now.maxInFlight;
        break;
      }
      const line = now ? `${now.done}/${now.total}` : 'listing';
      if (line !== last && Date.now() - t0 > 5000) console.log(`  N = ${count}: import ${line} at ${seconds(Date.now() - t0)}`), (last = line);
      await new Promise((ok) => setTimeout(ok, 1000));
    }
    const imported = Date.now() - t0;
    await waitFeatures(page, HOUR);
    const features = Date.now() - t0;
    console.log(`  N = ${count}: imported in ${seconds(imported)}, features at ${seconds(features)}`);
    const d0 = await trainTimed(page);
    console.log(`  N = ${count}: d = 0 ${JSON.stringify(d0)}`);
    const t2 = Date.now();
    await configure(page, { freezeDepth: 2 });
    // The depth's features start again from none (a moment later on a small set: then no wait).
    await page
      .waitForFunction(
        () => {
          const plan = document.querySelector('[data-testid=memory-plan]')?.getAttribute('data-depth');
          const el = document.querySelector('[data-testid=features]');
          return plan === '2' && Number(el?.getAttribute('data-ready')) < Number(el?.getAttribute('data-wanted'));
        },
        null,
        { timeout: 30_000, polling: 20 },
      )
      .catch(() => {});
    await waitFeatures(page, HOUR);
    const deepFeatures = Date.now() - t2;
    const d2 = await trainTimed(page);
    console.log(`  N = ${count}: d = 2 features ${seconds(deepFeatures)}, ${JSON.stringify(d2)}`);
    const peak = await stop();
    const views = count * (args.augment ? 5 : 1);
    return { count, backend, bytes, imported, maxInFlight, features, d0, deepFeatures, d2, peak, views };
  } finally {
    await close();
  }
}

const mb = (b) => `${(b / 2 ** 20).toFixed(0)}`;
const perSecond = (n, ms) => (n / (ms / 1000)).toFixed(1);

await makePhotos(Math.max(...COUNTS));
const server = await serveApp();
const rows = [];
try {
  for (const count of COUNTS) {
    const r = await run(server, count);
    rows.push(r);
    console.log(`  N = ${count}: ${JSON.stringify(r.peak)}`);
  }
} finally {
  await server.close();
}
console.log(`
${rows[0]?.backend ?? ''}; ${args.augment ? '5 views' : '1 view'} per image; ${EPOCHS} epochs per run; MiB = 2^20 bytes.

| images | JPEG | import s | most files in flight | features ready, img/s from the drop | d = 0 first step s | d = 0 s/epoch | d = 2 features img/s | d = 2 first step s | d = 2 s/epoch | worker wasm MiB | page JS heap MiB | browser PSS MiB |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows
  .map((r) =>
    [
      r.count,
      `${(r.bytes / 1e6).toFixed(0)} MB`,
      (r.imported / 1000).toFixed(1),
      r.maxInFlight,
      perSecond(r.views, r.features),
      (r.d0.firstStep / 1000).toFixed(2),
      (r.d0.perEpoch / 1000).toFixed(2),
      perSecond(r.views, r.deepFeatures),
      (r.d2.firstStep / 1000).toFixed(2),
      (r.d2.perEpoch / 1000).toFixed(2),
      mb(r.peak.engine),
      mb(r.peak.heap),
      mb(r.peak.browser),
    ].join(' | '),
  )
  .map((line) => `| ${line} |`)
  .join('\n')}`);
