// Driving the Ajuste page through its test hooks (data-testid), for the browser tests.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { OUTPUT_DIR, REPO_ROOT, serveStatic } from './browser.js';

export const DIST = resolve(process.env.AJUSTE_DIST ?? join(REPO_ROOT, 'dist'));
// SwiftShader WebGPU and the wasm CPU fallback are slow: be generous.
export const LONG_MS = 8 * 60_000;

export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Serves dist/ for a test file; call in `before`, close in `after`. */
export async function serveApp() {
  assert.ok(
    existsSync(join(DIST, 'index.html')),
    `no built app at ${DIST} (run \`trunk build --release --offline\` or tools/test.sh, or set AJUSTE_DIST)`,
  );
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return serveStatic(DIST);
}

/**
 * Loads the app again with nothing kept on the device. Every load restores the project the page
 * saved last (IndexedDB), so a test that wants a fresh page clears it first, with the page gone
 * (about:blank) so that no autosave writes it again meanwhile.
 */
export async function reloadEmpty(page, url) {
  await page.goto('about:blank');
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Storage.clearDataForOrigin', { origin: new URL(url).origin, storageTypes: 'indexeddb' });
  } finally {
    await cdp.detach();
  }
  await page.goto(url);
}

export const card = (page, index) => page.locator('[data-testid=class-card]').nth(index);

export async function state(page) {
  return page.locator('[data-testid=trainer]').getAttribute('data-state');
}

/** Text of every visible [data-testid=error]. */
export async function errors(page) {
  return (await page.locator('[data-testid=error]').allInnerTexts()).map((t) => t.trim());
}

/** Waits until the trainer's data-state is one of `states`; fails at once on "error". */
export async function waitState(page, states, timeout = LONG_MS) {
  const wanted = [].concat(states);
  const handle = await page.waitForFunction(
    (wanted) => {
      const s = document.querySelector('[data-testid=trainer]')?.getAttribute('data-state');
      return wanted.includes(s) || s === 'error' ? s : null;
    },
    wanted,
    { timeout, polling: 100 },
  );
  const reached = await handle.jsonValue();
  if (reached === 'error' && !wanted.includes('error')) {
    assert.fail(`the page reported an error: ${(await errors(page)).join(' | ')}`);
  }
  return reached;
}

export async function waitCount(page, cardIndex, count, timeout = LONG_MS) {
  await page.waitForFunction(
    ([i, n]) =>
      document.querySelectorAll('[data-testid=class-card]')[i]?.querySelector('[data-testid=sample-count]')
        ?.textContent === String(n),
    [cardIndex, count],
    { timeout, polling: 100 },
  );
}

export async function sampleCount(page, cardIndex) {
  return Number(await card(page, cardIndex).locator('[data-testid=sample-count]').innerText());
}

/**
 * Waits until a class card shows `count` images (any number above 0 when `count` is null) and
 * the ENGINE has accepted every one of them (data-accepted="true" on each thumbnail; the page
 * raises its count at once, before the engine has decoded anything). Fails at once when the
 * card shows an error while images are still missing (the engine refused one).
 */
export async function waitAccepted(page, cardIndex, count = null, timeout = LONG_MS) {
  const handle = await page.waitForFunction(
    ([i, n]) => {
      const el = document.querySelectorAll('[data-testid=class-card]')[i];
      if (!el) return null;
      const samples = [...el.querySelectorAll('[data-testid=sample]')];
      const accepted = samples.filter((s) => s.getAttribute('data-accepted') === 'true').length;
      const enough = n === null ? samples.length > 0 : samples.length === n;
      if (enough && accepted === samples.length) return { accepted };
      const error = el.querySelector('[data-testid=error]');
      if (error && n !== null && samples.length < n) return { error: error.textContent };
      return null;
    },
    [cardIndex, count],
    { timeout, polling: 100 },
  );
  const result = await handle.jsonValue();
  if (result.error) assert.fail(`class card ${cardIndex}: ${result.error}`);
  return result.accepted;
}

/** Uploads files into a class card through its file input and waits until the engine accepted them all. */
export async function upload(page, cardIndex, files) {
  const before = await sampleCount(page, cardIndex);
  await card(page, cardIndex).locator('[data-testid=upload-input]').setInputFiles(files);
  await waitAccepted(page, cardIndex, before + files.length);
}

/** "on" while the camera's stream runs (some preview shows it), "off" once its tracks stopped. */
export async function cameraState(page) {
  return page.locator('[data-testid=trainer]').getAttribute('data-camera');
}

/** Waits for the page's data-camera to read `wanted` ("on" or "off"). */
export async function waitCamera(page, wanted, timeout = 30_000) {
  await page.waitForFunction(
    (wanted) => document.querySelector('[data-testid=trainer]')?.getAttribute('data-camera') === wanted,
    wanted,
    { timeout, polling: 100 },
  );
}

/** Waits until every image's features are computed (Train is then quick). */
export async function waitFeatures(page, timeout = LONG_MS) {
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=features]');
      const ready = Number(el?.getAttribute('data-ready'));
      const wanted = Number(el?.getAttribute('data-wanted'));
      return wanted > 0 && ready === wanted;
    },
    null,
    { timeout, polling: 100 },
  );
}

/** The import-progress hook's numbers (null while there is none). */
export async function importProgress(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=import-progress]');
    if (!el) return null;
    const n = (name) => Number(el.getAttribute(`data-${name}`));
    return {
      state: el.getAttribute('data-state'),
      done: n('done'),
      total: n('total'),
      inFlight: n('in-flight'),
      maxInFlight: n('max-in-flight'),
    };
  });
}

/** Opens "Advanced" and sets fields by test id, e.g. `{ epochs: 10, augment: false }`. */
export async function configure(page, { freezeDepth, ...advanced }) {
  if (freezeDepth !== undefined) await page.locator('[data-testid=freeze-depth]').fill(String(freezeDepth));
  if (Object.keys(advanced).length === 0) return;
  const details = page.locator('details.advanced');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  for (const [key, value] of Object.entries(advanced)) {
    const id = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const input = page.locator(`[data-testid=${id}]`);
    if (typeof value === 'boolean') await input.setChecked(value);
    else {
      await input.fill(String(value));
      await input.dispatchEvent('change');
    }
  }
}

/** What the results panel says about the last training run (null without one). */
export async function report(page) {
  const results = page.locator('[data-testid=results]');
  if ((await results.count()) === 0) return null;
  return {
    epochsRun: Number(await results.getAttribute('data-epochs-run')),
    cancelled: (await results.getAttribute('data-cancelled')) === 'true',
    seconds: Number(await results.getAttribute('data-seconds')),
  };
}

/** The training progress bar's step counters. */
export async function steps(page) {
  const bar = page.locator('[data-testid=train-progress]');
  return {
    done: Number(await bar.getAttribute('data-steps-done')),
    total: Number(await bar.getAttribute('data-total-steps')),
  };
}

/** Clicks Train and waits for "done"; returns the time from the click to "done". */
export async function train(page) {
  await page.locator('[data-testid=train-button]').click();
  const clicked = Date.now();
  const reached = await waitState(page, ['done', 'ready']);
  const elapsed = Date.now() - clicked;
  assert.equal(reached, 'done', `training ended without a classifier: ${(await errors(page)).join(' | ')}`);
  return elapsed;
}

/**
 * The same answer as `expected` (label, and confidence within `tolerance`: the same classifier
 * on the same image differs only by float noise), printed as `what`.
 */
export function samePrediction(actual, expected, what, tolerance = 1e-4) {
  console.log(`${what}: "${actual.label}" (${actual.confidence})`);
  assert.equal(actual.label, expected.label, `${what}: label`);
  assert.ok(
    Math.abs(actual.confidence - expected.confidence) <= tolerance,
    `${what}: confidence ${actual.confidence}, expected ${expected.confidence} ± ${tolerance}`,
  );
}

/** Classifies a file through preview-input; returns { label, confidence, source } (source: "trained" or "imagenet"). */
export async function classify(page, file, timeout = LONG_MS) {
  // The panel counts its answers: wait for one more than now (a new answer can read exactly
  // like the previous one).
  const answered = Number(await page.locator('.preview').getAttribute('data-answered'));
  await page.locator('[data-testid=preview-input]').setInputFiles(file);
  const handle = await page.waitForFunction(
    (before) => {
      const panel = document.querySelector('.preview');
      if (Number(panel?.getAttribute('data-answered')) <= before) return null;
      const error = panel.querySelector('[data-testid=error]');
      if (error) return { error: error.textContent };
      const el = panel.querySelector('[data-testid=prediction]');
      return {
        label: el.getAttribute('data-label'),
        confidence: Number(el.getAttribute('data-confidence')),
        source: el.getAttribute('data-source'),
      };
    },
    answered,
    { timeout, polling: 100 },
  );
  const result = await handle.jsonValue();
  if (result.error) assert.fail(`classifying ${file}: ${result.error}`);
  return result;
}

/**
 * Starts recording the gaps between animation frames on the main thread; `stop()` returns
 * { longestMs, frames }.
 */
export async function watchFrames(page) {
  await page.evaluate(() => {
    const watch = { longest: 0, frames: 0, last: performance.now(), running: true };
    window.__frameWatch = watch;
    const tick = (now) => {
      if (!watch.running) return;
      watch.longest = Math.max(watch.longest, now - watch.last);
      watch.last = now;
      watch.frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return {
    stop: () =>
      page.evaluate(() => {
        const watch = window.__frameWatch;
        watch.running = false;
        return { longestMs: watch.longest, frames: watch.frames };
      }),
  };
}

export async function screenshot(page, name) {
  const file = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: 60_000 });
  console.log(`screenshot ${file}`);
}

/**
 * Drops files on `target` (a locator) as a drag and drop from the desktop would, or pastes them
 * there (`how` = 'drop' | 'paste'): a DataTransfer holding the files, in the event the page
 * listens to.
 */
export async function transferFiles(target, files, how) {
  const payload = files.map((file) => ({ name: basename(file), base64: readFileSync(file).toString('base64') }));
  await target.evaluate(
    (element, { payload, how }) => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of payload) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, { type: 'image/png' }));
      }
      const event =
        how === 'paste'
          ? new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true })
          : new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true });
      element.dispatchEvent(event);
    },
    { payload, how },
  );
}
