// Cancel keeps the classifier the page had: train once (d = 0), start a long fine-tuning run
// (d = 1, which first computes new features), press Cancel straight away (before its first epoch
// ends), and the page is back in "done" with the first classifier answering the preview with the
// user's classes, exactly as before.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { card, classify, configure, report, serveApp, steps, train, upload, waitFeatures, waitState } from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

const CLASSES = ['Red disc', 'Blue stripes'];

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

test('cancelling a second training run keeps the previous classifier', { timeout: 20 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ logPrefix: 'cancel' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    for (const [i, name] of CLASSES.entries()) {
      await card(page, i).locator('[data-testid=class-name]').fill(name);
    }
    await configure(page, { epochs: 20, augment: false });
    await upload(page, 0, writePatterns('disc', 4, 1));
    await upload(page, 1, writePatterns('stripes', 4, 1));
    await waitFeatures(page);
    await train(page);
    const first = await report(page);
    assert.equal(first.epochsRun, 20);
    const probe = writePatterns('disc', 1, 40)[0];
    const before = await classify(page, probe);
    console.log(`cancel: first classifier says "${before.label}" (${before.confidence})`);
    assert.equal(before.source, 'trained');
    assert.equal(before.label, CLASSES[0]);

    // A long fine-tuning run, cancelled as soon as it starts.
    await configure(page, { freezeDepth: 1, epochs: 500 });
    await page.locator('[data-testid=train-button]').click();
    await waitState(page, 'training');
    const progress = await steps(page);
    await page.locator('[data-testid=cancel-button]').click();
    const cancelled = Date.now();
    assert.equal(await waitState(page, ['done', 'ready']), 'done', 'the page keeps its classifier after Cancel');
    const after = await report(page);
    console.log(
      `cancel: cancelled at step ${progress.done} of ${progress.total}; back to "done" in ${Date.now() - cancelled} ms; ` +
        `report: ${after.epochsRun} epochs, cancelled ${after.cancelled}`,
    );
    assert.equal(await page.locator('[data-testid=cancel-button]').isDisabled(), true);
    assert.equal(await page.locator('[data-testid=train-button]').isEnabled(), true);

    const again = await classify(page, probe);
    console.log(`cancel: after cancelling, "${again.label}" (${again.confidence})`);
    assert.equal(again.source, 'trained', 'a trained classifier answers, not ImageNet');
    assert.ok(CLASSES.includes(again.label), `"${again.label}" is one of the user's classes`);
    if (!after.cancelled) {
      // Cancelled before the first epoch ended: the very same classifier, the same report.
      assert.deepEqual(after, first);
      assert.equal(again.label, before.label);
      assert.ok(Math.abs(again.confidence - before.confidence) < 1e-3, 'the same classifier gives the same answer');
    } else {
      // The first epoch ended before Cancel arrived: the best of the new run so far.
      console.log('cancel: the run had finished an epoch; its best model so far was kept');
      assert.ok(after.epochsRun >= 1 && after.epochsRun < 500);
    }
    assert.deepEqual(
      (await page.locator('[data-testid=error]').allInnerTexts()).map((t) => t.trim()),
      [],
      'Cancel is no error',
    );
  } finally {
    await close();
  }
});
