// Without WebGPU (Chromium without --enable-unsafe-webgpu has no adapter), the engine falls
// back to burn's CPU backend in wasm, says so, and the flow still completes; Cancel stops a
// long run at once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  LONG_MS,
  card,
  classify,
  configure,
  seconds,
  serveApp,
  train,
  upload,
  waitFeatures,
  waitState,
} from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

test('CPU fallback: notice shown, training completes, preview right', { timeout: 15 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'cpu' });
  try {
    const t0 = Date.now();
    await page.goto(server.url);
    await waitState(page, 'ready');
    console.log(`cpu: ready in ${seconds(Date.now() - t0)}`);
    assert.equal((await page.locator('[data-testid=backend]').innerText()).trim(), 'CPU');
    const notice = page.locator('[data-testid=backend-notice]');
    assert.ok(await notice.isVisible());
    assert.match(await notice.innerText(), /no WebGPU.*CPU.*slower/i);

    await card(page, 0).locator('[data-testid=class-name]').fill('Red disc');
    await card(page, 1).locator('[data-testid=class-name]').fill('Blue stripes');
    await configure(page, { epochs: 20, augment: false });
    await upload(page, 0, writePatterns('disc', 3, 1));
    await upload(page, 1, writePatterns('stripes', 3, 1));
    const features = Date.now();
    await waitFeatures(page);
    console.log(`cpu: features of 6 images in ${seconds(Date.now() - features)}`);
    console.log(`cpu: Train click to done in ${seconds(await train(page))}`);

    for (const [expected, file] of [
      ['Red disc', writePatterns('disc', 1, 70)[0]],
      ['Blue stripes', writePatterns('stripes', 1, 70)[0]],
    ]) {
      const { label, confidence } = await classify(page, file);
      console.log(`cpu: ${file.split('/').pop()} -> "${label}" (${confidence.toFixed(3)})`);
      assert.equal(label, expected);
    }

    // Cancel: a long fine-tuning run stops at once and keeps the best model so far.
    await configure(page, { freezeDepth: 1, epochs: 200 });
    await page.locator('[data-testid=train-button]').click();
    await page.waitForFunction(() => /Epoch \d+\/200/.test(document.querySelector('.training .progress-text')?.textContent ?? ''), null, {
      timeout: LONG_MS,
      polling: 100,
    });
    const cancelled = Date.now();
    await page.locator('[data-testid=cancel-button]').click();
    await waitState(page, 'done');
    const text = await page.locator('.training .progress-text').innerText();
    console.log(`cpu: cancel to done in ${seconds(Date.now() - cancelled)} ("${text.trim()}")`);
    assert.match(text, /Stopped/);
    const { label } = await classify(page, writePatterns('disc', 1, 71)[0]);
    console.log(`cpu: after cancelling, disc-71.png -> "${label}"`);
  } finally {
    await close();
  }
});
