// End-to-end smoke test of the built web page (dist/), in headless Chromium.
//
//   tools/test.sh                      # builds dist/ with trunk, then runs this
//   node --test tests/e2e/             # against an existing build
//   AJUSTE_DIST=path/to/dist node --test tests/e2e/
//
// The page must expose these test ids:
//   [data-testid=trainer]         data-state="ready" once the model is loaded, "error" on failure
//   [data-testid=error]           the error message (read when data-state is "error")
//   [data-testid=backend]         text "WebGPU" or "CPU"
//   [data-testid=backend-notice]  visible when the page fell back to the CPU
//   [data-testid=preview-input]   <input type=file> that classifies the chosen image
//   [data-testid=prediction]      data-label="<top-1 ImageNet label>"

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

import { OUTPUT_DIR, REPO_ROOT, launchBrowser, serveStatic } from './lib/browser.js';

const DIST = resolve(process.env.AJUSTE_DIST ?? join(REPO_ROOT, 'dist'));
const IMAGES = join(REPO_ROOT, 'tests', 'fixtures', 'images');
// SwiftShader WebGPU (and the wasm CPU fallback) are slow: be generous.
const READY_TIMEOUT_MS = 5 * 60_000;
const PREDICTION_TIMEOUT_MS = 5 * 60_000;
const TEST_TIMEOUT_MS = 15 * 60_000;

let server;

before(async () => {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built app at ${DIST} (run \`trunk build --release --offline\` or tools/test.sh, or set AJUSTE_DIST)`,
  );
  server = await serveStatic(DIST);
  mkdirSync(OUTPUT_DIR, { recursive: true });
});

after(async () => {
  await server?.close();
});

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Text of [data-testid=error], or a placeholder. */
async function errorText(page) {
  const el = page.locator('[data-testid=error]');
  return (await el.count()) ? (await el.first().innerText()).trim() : '(no [data-testid=error] element)';
}

/** Waits for [data-testid=trainer] to reach data-state=ready; fails fast on data-state=error. */
async function waitReady(page) {
  const handle = await page.waitForFunction(
    () => {
      const state = document.querySelector('[data-testid=trainer]')?.getAttribute('data-state');
      return state === 'ready' || state === 'error' ? state : null;
    },
    null,
    { timeout: READY_TIMEOUT_MS, polling: 250 },
  );
  const state = await handle.jsonValue();
  if (state === 'error') assert.fail(`page reported an error while loading: ${await errorText(page)}`);
}

/**
 * Chooses `image` in the preview input and waits until [data-testid=prediction] has a data-label
 * different from `previous`; fails fast if the trainer switches to data-state=error.
 */
async function classify(page, image, previous = null) {
  const started = Date.now();
  await page.setInputFiles('[data-testid=preview-input]', join(IMAGES, image));
  const handle = await page.waitForFunction(
    (prev) => {
      const state = document.querySelector('[data-testid=trainer]')?.getAttribute('data-state');
      if (state === 'error') return { error: true };
      const label = document.querySelector('[data-testid=prediction]')?.getAttribute('data-label');
      return label && label !== prev ? { label } : null;
    },
    previous,
    { timeout: PREDICTION_TIMEOUT_MS, polling: 250 },
  );
  const result = await handle.jsonValue();
  if (result.error) assert.fail(`page reported an error classifying ${image}: ${await errorText(page)}`);
  console.log(`${image}: "${result.label}" in ${seconds(Date.now() - started)}`);
  return result.label;
}

async function smoke({ webgpu, name }) {
  const { page, close } = await launchBrowser({ webgpu, logPrefix: name });
  try {
    const t0 = Date.now();
    await page.goto(server.url, { waitUntil: 'load' });
    await waitReady(page);
    console.log(`${name}: ready in ${seconds(Date.now() - t0)}`);

    const backend = (await page.locator('[data-testid=backend]').innerText()).trim();
    console.log(`${name}: backend "${backend}"`);
    if (webgpu) {
      assert.equal(backend, 'WebGPU');
    } else {
      assert.equal(backend, 'CPU');
      assert.ok(
        await page.locator('[data-testid=backend-notice]').isVisible(),
        '[data-testid=backend-notice] should be visible when WebGPU is unavailable',
      );
    }

    let label = await classify(page, 'coffee.jpg');
    assert.match(label, /espresso/i);
    if (webgpu) {
      label = await classify(page, 'chelsea.jpg', label);
      assert.match(label, /cat/i);
    }
    console.log(`${name}: total ${seconds(Date.now() - t0)}`);
  } finally {
    // Pass or fail, keep a picture of the page for the log reader.
    const shot = join(OUTPUT_DIR, `smoke-${name}.png`);
    await page
      .screenshot({ path: shot, fullPage: true, timeout: 30_000 })
      .then(() => console.log(`${name}: screenshot ${shot}`))
      .catch((err) => console.log(`${name}: no screenshot: ${err.message}`));
    await close();
  }
}

test('WebGPU: loads, classifies coffee.jpg as espresso and chelsea.jpg as a cat', { timeout: TEST_TIMEOUT_MS }, () =>
  smoke({ webgpu: true, name: 'webgpu' }),
);

test('no WebGPU: falls back to the CPU with a notice and still classifies coffee.jpg', { timeout: TEST_TIMEOUT_MS }, () =>
  smoke({ webgpu: false, name: 'cpu' }),
);
