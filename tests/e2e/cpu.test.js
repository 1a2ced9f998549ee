// Without WebGPU (Chromium without --enable-unsafe-webgpu has no adapter), the engine falls
// back to burn's CPU backend in wasm, says so, and the flow still completes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { card, classify, configure, seconds, serveApp, train, upload, waitFeatures, waitState } from './lib/app.js';
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
  } finally {
    await close();
  }
});
