// The project kept as records (crates/ajuste-web/src/records.rs): every image the engine accepts
// is stored within a moment, so a tab closed right after adding images loses none of them; the
// features are stored beside the images, so the reopened project computes none again; a
// deleted image's records go with it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { card, serveApp, upload, waitAccepted, waitFeatures, waitState } from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';
import { countRecords, snapshot, storedRecords, waitSavedImages } from './lib/storage.js';

const DATABASE = 'ajuste@/';

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

test('a tab closed right after its images were accepted keeps them all', { timeout: 15 * 60_000 }, async () => {
  const { context, page, close } = await launchBrowser({ webgpu: false, logPrefix: 'records' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    await upload(page, 0, writePatterns('disc', 3, 1));
    await upload(page, 1, writePatterns('stripes', 2, 1));
    await waitAccepted(page, 0, 3);
    await waitAccepted(page, 1, 2);
    // Each accepted image is written at once: the line says "saved" a moment later (the old
    // autosave waited for a 1.5 s pause, then for the engine to write the whole file). The
    // tab is closed as soon as it does.
    const accepted = Date.now();
    await waitSavedImages(page, 5);
    console.log(`saved ${Date.now() - accepted} ms after the last image was accepted`);
    await page.close({ runBeforeUnload: true });

    const again = await context.newPage();
    await again.goto(server.url);
    await waitState(again, 'ready');
    await waitSavedImages(again, 5);
    const classes = await snapshot(again);
    assert.deepEqual(
      classes.map((c) => c.count),
      [3, 2],
    );
    assert.ok(classes.every((c) => c.pictures.every(Boolean)), 'every picture is back');
    await waitAccepted(again, 0, 3);
    await waitAccepted(again, 1, 2);
    assert.equal(await countRecords(again, DATABASE, 'images'), 5);

    // Features are stored beside the images once computed…
    await waitFeatures(again);
    const storedBy = Date.now() + 60_000;
    while ((await countRecords(again, DATABASE, 'features')) !== 5) {
      assert.ok(Date.now() < storedBy, 'the features of the 5 images are stored within a minute');
      await again.waitForTimeout(250);
    }
    // …so the next visit computes none: every feature is ready as soon as the images are in.
    await again.reload();
    await waitState(again, 'ready');
    await waitAccepted(again, 0, 3);
    await waitAccepted(again, 1, 2);
    const features = await again.locator('[data-testid=features]').getAttribute('data-ready');
    assert.equal(features, '5', 'features restored, not computed');

    // A deleted image takes its records with it.
    await card(again, 0).locator('[data-testid=delete-sample]').first().click();
    await waitSavedImages(again, 4);
    assert.equal(await countRecords(again, DATABASE, 'images'), 4);
    assert.equal(await countRecords(again, DATABASE, 'features'), 4);
    const { record } = (await storedRecords(again, DATABASE)).current;
    assert.deepEqual(
      record.classes.map((c) => c.samples.length),
      [2, 2],
    );
  } finally {
    await close();
  }
});
