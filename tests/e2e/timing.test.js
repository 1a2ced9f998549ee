// How long Train takes once the features are computed: 3 classes × 30 images, transfer
// learning (d = 0), default settings except augmentation (off, so that the background work
// is one forward pass per image on SwiftShader). Goal: Train click to "done" ≤ 1 s.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { classify, configure, seconds, serveApp, train, upload, waitFeatures, waitState } from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

const PER_CLASS = 30;

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

test('Train click to done, 3 classes × 30 images with features computed (d = 0)', { timeout: 20 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ logPrefix: 'timing' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    const backend = (await page.locator('[data-testid=backend]').innerText()).trim();
    await page.locator('[data-testid=add-class]').click();
    await configure(page, { augment: false });
    const started = Date.now();
    for (const [i, kind] of ['disc', 'stripes', 'checks'].entries()) {
      await upload(page, i, writePatterns(kind, PER_CLASS, 1));
    }
    await waitFeatures(page);
    console.log(`timing (${backend}): features of ${3 * PER_CLASS} images in ${seconds(Date.now() - started)}`);

    const elapsed = await train(page);
    const report = await page.locator('.training .progress-text').innerText();
    console.log(`timing (${backend}): Train click to done for 3 × ${PER_CLASS} images, d = 0, 40 epochs: ${elapsed} ms (${report.trim()})`);
    if (elapsed > 1000) console.log(`timing: above the 1 s goal`);
    const { label } = await classify(page, writePatterns('checks', 1, 80)[0]);
    assert.equal(label, 'Class 3');
  } finally {
    await close();
  }
});
