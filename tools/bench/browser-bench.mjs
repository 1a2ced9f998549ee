#!/usr/bin/env node
// Ajuste's engine against ONNX Runtime Web on the same EfficientNet-Lite0 checkpoint, in one
// headless Chromium, on the same pixels; prints a markdown table (median of --runs runs). A
// benchmark, not a test: it fails only when a side gives wrong answers or none.
//
//   npm ci --prefix tools/bench            # onnxruntime-web, pinned by tools/bench/package-lock.json
//   pip install onnx onnxscript            # for PyTorch's ONNX exporter
//   AJUSTE_PTH=efficientnet-lite0-57934424.pth node tools/bench/browser-bench.mjs \
//     [--dist dist] [--data target/bench-data] [--runs 3] [--devices cpu,webgpu] [--training-only]
//
// --training-only measures Ajuste's training rows alone (no ONNX Runtime, no inference rows, no
// agreement checks): on SwiftShader that is minutes instead of a quarter of an hour.
// --dist is a built app (trunk build --release --offline); --data is where
// tools/bench/export_onnx.py writes the ONNX file, the pixels and PyTorch's answers (made when
// missing). Devices: "cpu" is Chromium without --enable-unsafe-webgpu (no adapter: ONNX Runtime's
// wasm backend, 1 thread, against Ajuste's CPU fallback); "webgpu" is Chromium's WebGPU (in
// headless Linux: SwiftShader, a software GPU), ONNX Runtime's WebGPU backend against Ajuste's.
//
// Ajuste runs as the page runs it: its Web Worker (ajuste-worker_loader.js from the built app),
// sent the page's protocol messages with 256x256 RGBA pixels, which its pipeline crops to the
// centre 224x224 that ONNX Runtime is given (converted from the same bytes, inside its timing).
// Both sides are checked: ONNX Runtime's top-1 and pooled features against PyTorch's, Ajuste's
// top-1 and its top-5 probabilities against ONNX Runtime's.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { REPO_ROOT, launchBrowser, serveStatic } from '../../tests/e2e/lib/browser.js';

const HERE = join(REPO_ROOT, 'tools', 'bench');
const { values: options } = parseArgs({
  options: {
    dist: { type: 'string', default: process.env.AJUSTE_DIST ?? join(REPO_ROOT, 'dist') },
    data: { type: 'string', default: join(REPO_ROOT, 'target', 'bench-data') },
    runs: { type: 'string', default: '3' },
    devices: { type: 'string', default: 'cpu,webgpu' },
    'training-only': { type: 'boolean', default: false },
  },
});
const RUNS = Number(options.runs);
const dist = resolve(options.dist);
const dataDir = resolve(options.data);
const ortDist = join(HERE, 'node_modules', 'onnxruntime-web', 'dist');

function fail(message) {
  console.error(`browser-bench: ${message}`);
  process.exit(1);
}

if (!existsSync(join(dist, 'ajuste-worker_loader.js'))) fail(`no built app in ${dist} (trunk build --release --offline, or --dist)`);
if (!existsSync(ortDist)) fail('onnxruntime-web is not installed: npm ci --prefix tools/bench');
if (!existsSync(join(dataDir, 'efficientnet-lite0.onnx'))) {
  const weights = process.env.AJUSTE_PTH;
  if (!weights) fail('set AJUSTE_PTH to efficientnet-lite0-57934424.pth (tools/fetch-pth.sh) to export the ONNX model');
  const made = spawnSync('python3', [join(HERE, 'export_onnx.py'), '--weights', weights, dataDir], { stdio: 'inherit' });
  if (made.status !== 0) fail('the ONNX export failed');
}

// One origin for everything: the built app, the benchmark page, ONNX Runtime's files, the data.
const root = mkdtempSync(join(tmpdir(), 'ajuste-bench-'));
for (const entry of readdirSync(dist)) symlinkSync(join(dist, entry), join(root, entry));
for (const file of ['bench.html', 'bench.js']) symlinkSync(join(HERE, 'page', file), join(root, file));
symlinkSync(ortDist, join(root, 'ort'));
mkdirSync(join(root, 'data'));
for (const file of ['efficientnet-lite0.onnx', 'pixels.bin', 'reference.json']) {
  symlinkSync(join(dataDir, file), join(root, 'data', file));
}
symlinkSync(join(REPO_ROOT, 'src', 'model', 'imagenet_classes.txt'), join(root, 'data', 'imagenet_classes.txt'));

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rate = (images, ms) => (images * 1000) / ms;
const ALL = Array.from({ length: 16 }, (_, i) => i);

/** Runs one device's measurements; returns table rows and the agreement notes. */
async function benchDevice(server, device) {
  const webgpu = device === 'webgpu';
  const { page, close } = await launchBrowser({ webgpu, logPrefix: `bench ${device}` });
  const call = async (name, ...args) => {
    const started = Date.now();
    const result = await page.evaluate(([name, args]) => window.bench[name](...args), [name, args]);
    if (process.env.AJUSTE_BENCH_VERBOSE) console.error(`[bench ${device}] ${name}(${args.join(', ')}): ${Date.now() - started} ms`);
    return result;
  };
  const rows = [];
  const checks = [];
  try {
    await page.goto(`${server.url}bench.html`);
    await page.waitForFunction(() => window.benchReady === true);
    const measured = { ortB1: [], ajusteB1: [], ortB16: [], ajusteB16: [], train0: [], train2: [] };
    if (options['training-only']) await startAjuste(call, webgpu);
    else rows.push(...(await inference(device, call, measured, checks)));
    const label = deviceLabel(webgpu);
    // Training last: after it, predictions answer with the trained classes, not ImageNet's.
    for (let run = 0; run < RUNS; run++) {
      measured.train0.push((await call('ajusteTrain', 0, 16, 200)).imagesPerSecond);
      measured.train2.push((await call('ajusteTrain', 2, 16, webgpu ? 2 : 3)).imagesPerSecond);
      console.error(`[bench ${device}] training run ${run + 1}/${RUNS} done`);
    }
    rows.push([label, 'training images/s, d = 0 (head on cached features, batch 16, 200 epochs, Train → done)', null, median(measured.train0), 'rate']);
    rows.push([label, 'training images/s, d = 2 (last 2 blocks + head, batch 16)', null, median(measured.train2), 'rate']);
    for (const [name, values] of Object.entries(measured)) {
      if (values.length) console.error(`[bench ${device}] ${name}: ${values.map((v) => v?.toFixed(3)).join(', ')}`);
    }
  } catch (error) {
    // Closing a browser that crashed fails too: report what went wrong first.
    await close().catch(() => {});
    throw error;
  }
  await close();
  return { rows, checks };
}

const deviceLabel = (webgpu) => (webgpu ? 'WebGPU (SwiftShader)' : 'CPU (no WebGPU)');

/** Starts Ajuste's engine; it must have picked the device being measured. */
async function startAjuste(call, webgpu) {
  const started = await call('ajusteStart');
  const expected = webgpu ? 'WebGpu' : 'Cpu';
  if (started.backend !== expected) throw new Error(`Ajuste chose ${started.backend}, not ${expected}`);
  return started;
}

/** The inference rows (start, first prediction, batch 1 and 16, both sides) and their checks. */
async function inference(device, call, measured, checks) {
  const webgpu = device === 'webgpu';
  const rows = [];
  // SwiftShader takes seconds per image: fewer single images there.
  const singles = webgpu ? ALL.slice(0, 4) : ALL;
  const ortStart = await call('ortStart', webgpu ? 'webgpu' : 'wasm');
  const ortWarm = [await call('ortRun', [0]), await call('ortRun', ALL)];
  const ajusteStart = await startAjuste(call, webgpu);
  const ajusteFirst = await call('ajustePredict', 0);
  await call('ajusteFeatures', ALL);

  let ortMinCosine = Math.min(...ortWarm.map((r) => r.minCosine));
  let ortTop1 = 0;
  let ortTop1Of = 0;
  let ajusteTop1 = 0;
  let ajusteTop1Of = 0;
  let probabilityGap = 0;
  for (let run = 0; run < RUNS; run++) {
    let ortMs = 0;
    let ajusteMs = 0;
    for (const image of singles) {
      const o = await call('ortRun', [image]);
      ortMs += o.ms;
      ortMinCosine = Math.min(ortMinCosine, o.minCosine);
      ortTop1 += o.top1Agree;
      ortTop1Of += 1;
    }
    for (const image of singles) {
      const a = await call('ajustePredict', image);
      ajusteMs += a.ms;
      ajusteTop1 += a.top1Agree;
      ajusteTop1Of += 1;
      probabilityGap = Math.max(probabilityGap, a.maxProbabilityGap ?? 0);
    }
    measured.ortB1.push(rate(singles.length, ortMs));
    measured.ajusteB1.push(rate(singles.length, ajusteMs));
    const o16 = await call('ortRun', ALL);
    ortMinCosine = Math.min(ortMinCosine, o16.minCosine);
    ortTop1 += o16.top1Agree;
    ortTop1Of += 16;
    measured.ortB16.push(rate(16, o16.ms));
    const a16 = await call('ajusteFeatures', ALL);
    measured.ajusteB16.push(rate(16, a16.ms));
    console.error(`[bench ${device}] run ${run + 1}/${RUNS} done`);
  }
  if (ortTop1 !== ortTop1Of) throw new Error(`ONNX Runtime's top-1 differs from PyTorch's on ${ortTop1Of - ortTop1} of ${ortTop1Of}`);
  if (ortMinCosine < 0.999) throw new Error(`ONNX Runtime's pooled features are off PyTorch's: cosine ${ortMinCosine}`);
  if (ajusteTop1 !== ajusteTop1Of) throw new Error(`Ajuste's top-1 differs from PyTorch's on ${ajusteTop1Of - ajusteTop1} of ${ajusteTop1Of}`);
  // f16 weights on the page (f32 in the ONNX file) move probabilities by about 1e-2 at most.
  if (probabilityGap > 0.05) throw new Error(`Ajuste's top-5 probabilities are off ONNX Runtime's by ${probabilityGap}`);
  checks.push(
    `${device}: ONNX Runtime top-1 = PyTorch's on ${ortTop1}/${ortTop1Of}, pooled features cosine ≥ ${ortMinCosine.toFixed(6)}; ` +
      `Ajuste top-1 = PyTorch's on ${ajusteTop1}/${ajusteTop1Of}, top-5 probabilities within ${probabilityGap.toFixed(4)} of ONNX Runtime's`,
  );

  const label = deviceLabel(webgpu);
  const ortName = webgpu ? 'webgpu' : 'wasm, 1 thread';
  rows.push([label, `start → ready (s); ORT: session create (${ortName})`, ortStart.ms / 1000, ajusteStart.ms / 1000, 's']);
  rows.push([label, 'first prediction after ready (s); ORT: first run', ortWarm[0].ms / 1000, ajusteFirst.ms / 1000, 's']);
  rows.push([label, 'images/s, batch 1 (one prediction at a time)', median(measured.ortB1), median(measured.ajusteB1), 'rate']);
  rows.push([label, "images/s, batch 16 (Ajuste: feature extraction, its scheduler's batches)", median(measured.ortB16), median(measured.ajusteB16), 'rate']);
  return rows;
}

const server = await serveStatic(root);
const rows = [];
const checks = [];
try {
  for (const device of options.devices.split(',')) {
    const result = await benchDevice(server, device);
    rows.push(...result.rows);
    checks.push(...result.checks);
  }
} finally {
  await server.close();
  rmSync(root, { recursive: true, force: true });
}

const number = (v) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
console.log(`| device | measurement | ONNX Runtime Web 1.30 | Ajuste | Ajuste / ORT |`);
console.log('|---|---|---|---|---|');
for (const [device, what, ort, ajuste, kind] of rows) {
  // For a rate more is better; for a time, less: the ratio says how many times faster Ajuste is.
  const ratio = ort === null || ajuste === null ? '—' : `${(kind === 'rate' ? ajuste / ort : ort / ajuste).toFixed(2)}×`;
  console.log(`| ${device} | ${what} | ${number(ort)} | ${number(ajuste)} | ${ratio} |`);
}
const agreement = checks.length ? `Agreement: ${checks.join('; ')}.` : 'Training rows only: no agreement checks.';
console.log(`\nMedian of ${RUNS} runs. ${agreement}`);
