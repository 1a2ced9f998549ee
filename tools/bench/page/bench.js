// The benchmark page's side: ONNX Runtime Web and Ajuste's engine (its real Web Worker, spoken to
// with the page's own protocol, crates/ajuste-protocol) on the same pixels. The driver
// (tools/bench/browser-bench.mjs) calls the functions on `window.bench` one at a time, so the two
// never run at once. Each function times only its own work and checks its answers against
// PyTorch's (reference.json, written by tools/bench/export_onnx.py) or against ONNX Runtime's.

import * as ort from './ort/ort.webgpu.min.mjs';

// ONNX Runtime's wasm files come from this origin too; one thread, as the app's page is not
// cross-origin isolated (no SharedArrayBuffer).
ort.env.wasm.wasmPaths = new URL('./ort/', location.href).href;
ort.env.wasm.numThreads = 1;

const SIDE = 256;
const CROP = 224;
const OFFSET = (SIDE - CROP) / 2;
const PIXELS = SIDE * SIDE * 4;

const data = {};
let ortSession = null;
/** ONNX Runtime's softmax per image, from its last batch run: what Ajuste is compared with. */
const ortProbabilities = [];

async function load() {
  if (data.pixels) return;
  const [pixels, reference, labels] = await Promise.all([
    fetch('data/pixels.bin').then((r) => r.arrayBuffer()),
    fetch('data/reference.json').then((r) => r.json()),
    fetch('data/imagenet_classes.txt').then((r) => r.text()),
  ]);
  data.pixels = new Uint8Array(pixels);
  data.reference = reference;
  data.labels = labels.trimEnd().split('\n');
  if (data.pixels.length !== reference.count * PIXELS) throw new Error('pixels.bin does not match reference.json');
}

/** Image `i`'s 256x256 RGBA bytes, a fresh copy (its buffer moves to the worker). */
const rgba = (i) => data.pixels.slice(i * PIXELS, (i + 1) * PIXELS);

/** The centre 224x224 of images `indices` as ONNX Runtime's input: NCHW, x / 127.5 - 1. */
function ortInput(indices) {
  const plane = CROP * CROP;
  const out = new Float32Array(indices.length * 3 * plane);
  indices.forEach((image, n) => {
    const base = image * PIXELS;
    for (let y = 0; y < CROP; y++) {
      for (let x = 0; x < CROP; x++) {
        const source = base + ((y + OFFSET) * SIDE + x + OFFSET) * 4;
        const target = n * 3 * plane + y * CROP + x;
        for (let c = 0; c < 3; c++) out[target + c * plane] = data.pixels[source + c] / 127.5 - 1;
      }
    }
  });
  return out;
}

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

function softmax(logits) {
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((s, v) => s + v, 0);
  return exp.map((v) => v / sum);
}

const argmax = (values) => values.reduce((best, v, i) => (v > values[best] ? i : best), 0);

async function ortStart(provider) {
  await load();
  const started = performance.now();
  ortSession = await ort.InferenceSession.create('data/efficientnet-lite0.onnx', {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
  });
  return { ms: performance.now() - started };
}

/**
 * One ONNX Runtime run over `indices` as one batch, from the RGBA bytes (the input conversion is
 * timed too: Ajuste's engine does the same work from the same bytes). Checks top-1 and the
 * pooled features against PyTorch's.
 */
async function ortRun(indices) {
  const started = performance.now();
  const input = new ort.Tensor('float32', ortInput(indices), [indices.length, 3, CROP, CROP]);
  const out = await ortSession.run({ input });
  const features = out.features.getData ? await out.features.getData() : out.features.data;
  const logits = out.logits.getData ? await out.logits.getData() : out.logits.data;
  const ms = performance.now() - started;
  let minCosine = 1;
  let top1Agree = 0;
  indices.forEach((image, n) => {
    const f = Array.from(features.subarray(n * 1280, (n + 1) * 1280));
    const l = Array.from(logits.subarray(n * 1000, (n + 1) * 1000));
    minCosine = Math.min(minCosine, cosine(f, data.reference.features[image]));
    if (argmax(l) === data.reference.top1[image]) top1Agree += 1;
    ortProbabilities[image] = softmax(l);
  });
  return { ms, images: indices.length, minCosine, top1Agree };
}

// --- Ajuste's engine: the app's worker, spoken to as the page does -------------------------------

let worker = null;
let listeners = [];
let nextId = 1;

function post(command, bytes) {
  const message = [JSON.stringify(command)];
  if (bytes) message.push(bytes);
  worker.postMessage(message, bytes ? [bytes.buffer] : []);
}

/** Resolves with the first event (parsed JSON) for which `pick` returns something; fails on a
 * fatal event or after `timeoutMs`. */
function waitFor(pick, timeoutMs = 15 * 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the engine')), timeoutMs);
    const listener = (event) => {
      if (event.Fatal) {
        clearTimeout(timer);
        reject(new Error(`engine stopped: ${JSON.stringify(event.Fatal)}`));
        return true;
      }
      const picked = pick(event);
      if (picked === undefined || picked === null || picked === false) return false;
      clearTimeout(timer);
      resolve(picked);
      return true;
    };
    listeners.push(listener);
  });
}

async function ajusteStart() {
  await load();
  const started = performance.now();
  worker = new Worker('ajuste-worker_loader.js');
  worker.onmessage = (message) => {
    const event = JSON.parse(message.data[0]);
    listeners = listeners.filter((listener) => !listener(event));
  };
  const backend = waitFor((event) => event.Backend);
  await waitFor((event) => event === 'Ready');
  return { backend: await backend, ms: performance.now() - started };
}

/** One image through the worker's prediction path (batch 1); checks it against ONNX Runtime. */
async function ajustePredict(image) {
  const request = nextId++;
  const started = performance.now();
  post({ Predict: { request, encoding: { Rgba: { width: SIDE, height: SIDE } } } }, rgba(image));
  const result = await waitFor((event) => event.Prediction?.request === request && event.Prediction.result);
  const ms = performance.now() - started;
  if (!result.Ok) throw new Error(`prediction failed: ${JSON.stringify(result)}`);
  if (result.Ok.source !== 'ImageNet') throw new Error('predictions must come before training');
  const reference = ortProbabilities[image];
  const top = result.Ok.scores[0].label;
  let maxProbabilityGap = 0;
  for (const { label, probability } of result.Ok.scores) {
    const index = data.labels.indexOf(label);
    if (index < 0) throw new Error(`unknown label ${label}`);
    if (reference) maxProbabilityGap = Math.max(maxProbabilityGap, Math.abs(reference[index] - probability));
  }
  return {
    ms,
    top1Agree: top === data.labels[data.reference.top1[image]] ? 1 : 0,
    maxProbabilityGap: reference ? maxProbabilityGap : null,
  };
}

/** Features (transfer learning: the frozen network's pooled output) of `indices` as samples of a
 * new class, computed by the worker's background scheduler in its own batches; the time until the
 * last is ready. The class is removed afterwards. */
async function ajusteFeatures(indices, freezeDepth = 0) {
  const cls = nextId++;
  post({ PrepareFeatures: { freeze_depth: freezeDepth, augment: false } });
  const started = performance.now();
  for (const image of indices) {
    post({ AddSample: { class: cls, sample: nextId++, encoding: { Rgba: { width: SIDE, height: SIDE } } } }, rgba(image));
  }
  const done = await waitFor((event) => {
    const f = event.Features;
    return f && f.wanted >= indices.length && f.ready === f.wanted ? f : null;
  });
  const ms = performance.now() - started;
  post({ RemoveClass: { class: cls } });
  return { ms, images: indices.length, wanted: done.wanted };
}

/** A training run on two classes of `perClass` images each (features prepared first, not timed):
 * the steady rate of training steps, from the progress events after the first step. */
async function ajusteTrain(freezeDepth, perClass, epochs) {
  const classes = [nextId++, nextId++];
  post({ PrepareFeatures: { freeze_depth: freezeDepth, augment: false } });
  for (const [c, cls] of classes.entries()) {
    for (let k = 0; k < perClass; k++) {
      const image = (c * perClass + k) % data.reference.count;
      post({ AddSample: { class: cls, sample: nextId++, encoding: { Rgba: { width: SIDE, height: SIDE } } } }, rgba(image));
    }
  }
  await waitFor((event) => {
    const f = event.Features;
    return f && f.wanted >= 2 * perClass && f.ready === f.wanted ? f : null;
  });
  const batchSize = 16;
  const progress = [];
  const onProgress = (event) => {
    if (event.TrainingProgress) progress.push({ t: performance.now(), steps: event.TrainingProgress.steps_done, perEpoch: event.TrainingProgress.steps_per_epoch });
    return false;
  };
  listeners.push(onProgress);
  const started = performance.now();
  post({
    Train: {
      classes: classes.map((id) => ({ id, name: `class ${id}` })),
      settings: { freeze_depth: freezeDepth, epochs, batch_size: batchSize, learning_rate: 1e-3, augment: false, validation_share: 0.15 },
    },
  });
  const report = await waitFor((event) => event.TrainingDone ?? (event.TrainingFailed && { failed: event.TrainingFailed }));
  const ms = performance.now() - started;
  listeners = listeners.filter((listener) => listener !== onProgress);
  for (const cls of classes) post({ RemoveClass: { class: cls } });
  if (report.failed) throw new Error(`training failed: ${JSON.stringify(report.failed)}`);
  // The rate counts the images trained on (those not held out for validation) over every epoch
  // run, from the first step's progress to the last. At d = 0 the steps are faster than the
  // worker's progress events, so there the whole Train → done time is the measure.
  const held = report.confusion.matrix.flat().reduce((sum, n) => sum + n, 0);
  const trained = report.evaluated_on === 'Training' ? 2 * perClass : 2 * perClass - held;
  const first = progress[0];
  const last = progress[progress.length - 1];
  const spanMs = first && last ? last.t - first.t : 0;
  const spanSteps = first && last ? last.steps - first.steps : 0;
  const measuredMs = spanMs >= 200 ? spanMs : ms;
  const measuredEpochs = spanMs >= 200 ? spanSteps / last.perEpoch : report.epochs_run;
  return {
    ms,
    steps: last?.steps ?? 0,
    imagesPerSecond: (trained * measuredEpochs * 1000) / measuredMs,
  };
}

window.bench = { load, ortStart, ortRun, ajusteStart, ajustePredict, ajusteFeatures, ajusteTrain };
window.benchReady = true;
