// The project kept on this device (IndexedDB): train two classes (d = 0), reload the page (same
// browser profile, so the storage stays) and find the same classes, images, settings, report and
// prediction without retraining; kill the engine mid-training and restart it: every image comes
// back (the restored ones from the stored project) and training works again. A tiny storage
// quota: the page says "not saved", keeps the images and still trains.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  LONG_MS,
  card,
  classify,
  configure,
  samePrediction,
  seconds,
  serveApp,
  train,
  upload,
  waitAccepted,
  waitFeatures,
  waitState,
} from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';
import { killEngine, snapshot, storageStatus, waitStorage } from './lib/storage.js';

const CLASSES = ['Red disc', 'Blue stripes'];
const IMAGES = 4;
const EPOCHS = 5;

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

test('autosave: a reload restores everything; a restarted engine gets it all back', { timeout: 25 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ logPrefix: 'storage' });
  try {
    const t0 = Date.now();
    await page.goto(server.url);
    await waitState(page, 'ready');
    console.log(`first visit ready in ${seconds(Date.now() - t0)}`);
    assert.equal((await storageStatus(page)).state, 'empty', 'nothing kept before anything is made');

    for (const [i, name] of CLASSES.entries()) {
      await card(page, i).locator('[data-testid=class-name]').fill(name);
    }
    await configure(page, { freezeDepth: 0, epochs: EPOCHS, augment: false });
    await upload(page, 0, writePatterns('disc', IMAGES, 1));
    await upload(page, 1, writePatterns('stripes', IMAGES, 1));
    await waitFeatures(page);
    await train(page);
    const trainedAt = Date.now();
    const heldBack = writePatterns('disc', 1, 60)[0];
    const trained = await classify(page, heldBack);
    assert.equal(trained.source, 'trained');
    const saved = await waitStorage(page, 'saved');
    console.log(`saved ${seconds(Date.now() - trainedAt)} after training: "${saved.text}"`);
    assert.equal(saved.saved, 'true');
    assert.match(saved.text, new RegExp(`${CLASSES.length} classes, ${CLASSES.length * IMAGES} images, [0-9.]+ [kMG]B`));
    const shown = await snapshot(page);
    const results = await page.locator('[data-testid=results]').innerText();

    // A reload: everything comes back from the device, the classifier too, and the features
    // (stored with the project): the feature counter never shows one still to compute.
    await page.addInitScript(() => {
      window.__featuresSeen = [];
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid=features]');
        if (el) window.__featuresSeen.push([el.getAttribute('data-ready'), el.getAttribute('data-wanted')].join('/'));
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready', 'data-wanted'] });
    });
    const t1 = Date.now();
    await page.reload();
    await waitState(page, 'done');
    for (const index of CLASSES.keys()) await waitAccepted(page, index, IMAGES);
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=sample]')].every((s) => s.querySelector('img')?.src),
      null,
      { timeout: LONG_MS, polling: 100 },
    );
    const restoredStatus = await waitStorage(page, 'saved');
    console.log(`reload to restored (classes, images, pictures, classifier) in ${seconds(Date.now() - t1)}`);
    console.log(`after the reload: "${restoredStatus.text}"`);
    assert.deepEqual(await snapshot(page), shown, 'the same classes, images and pictures');
    assert.equal(await page.locator('[data-testid=epochs]').inputValue(), String(EPOCHS));
    assert.equal(await page.locator('[data-testid=augment]').isChecked(), false);
    assert.equal(await page.locator('[data-testid=results]').innerText(), results, 'the same report');
    const restored = await classify(page, heldBack);
    assert.equal(restored.source, 'trained', 'restored page: source');
    samePrediction(restored, trained, 'restored page');
    const seen = [...new Set(await page.evaluate(() => window.__featuresSeen))];
    console.log(`features after the reload (ready/wanted): ${seen.join(', ')}`);
    const all = `${CLASSES.length * IMAGES}/${CLASSES.length * IMAGES}`;
    assert.ok(seen.includes(all), `every feature ready: ${seen}`);
    // The images come back one by one, each with its features: ready always equals wanted.
    const behind = seen.filter((s) => {
      const [ready, wanted] = s.split('/');
      return ready !== wanted;
    });
    assert.deepEqual(behind, [], 'none computed again');

    // One more image (only this page holds its file), then the engine dies mid-training.
    await upload(page, 0, writePatterns('disc', 1, 30));
    await configure(page, { epochs: 300 });
    await page.locator('[data-testid=train-button]').click();
    await waitState(page, 'training');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=train-progress]')?.getAttribute('data-steps-done')) > 0,
      null,
      { timeout: LONG_MS, polling: 100 },
    );
    await killEngine(page);
    await waitState(page, 'error');
    console.log(`engine killed: "${(await page.locator('[data-testid=error]').first().innerText()).trim()}"`);
    const t2 = Date.now();
    await page.locator('[data-testid=restart-engine]').click();
    await waitState(page, ['ready', 'done']);
    await waitAccepted(page, 0, IMAGES + 1);
    await waitAccepted(page, 1, IMAGES);
    console.log(`restart to every image accepted again in ${seconds(Date.now() - t2)}`);
    await configure(page, { epochs: EPOCHS });
    console.log(`retrained after the restart in ${seconds(await train(page))}`);
    const retrained = await classify(page, heldBack);
    assert.equal(retrained.source, 'trained');
    assert.equal(retrained.label, CLASSES[0]);
    const after = await waitStorage(page, 'saved');
    console.log(`after the restart: "${after.text}"`);
    assert.match(after.text, new RegExp(`${CLASSES.length} classes, ${CLASSES.length * IMAGES + 1} images`));
  } finally {
    await close();
  }
});

test('a full storage quota: "not saved", the images stay and still train', { timeout: 15 * 60_000 }, async () => {
  const { context, page, close } = await launchBrowser({ logPrefix: 'quota' });
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(server.url).origin, quotaSize: 1000 });
    await page.goto(server.url);
    await waitState(page, 'ready');
    await configure(page, { freezeDepth: 0, epochs: EPOCHS, augment: false });
    await upload(page, 0, writePatterns('disc', 3, 1));
    await upload(page, 1, writePatterns('stripes', 3, 1));
    const status = await waitStorage(page, 'failed');
    console.log(`quota of 1000 bytes: "${status.text}"`);
    assert.equal(status.saved, 'false');
    assert.match(status.text, /^Not saved: .*quota/i);
    assert.deepEqual(
      (await snapshot(page)).map(({ count, accepted }) => ({ count, accepted })),
      [3, 3].map((count) => ({ count, accepted: Array(count).fill('true') })),
      'the images stay',
    );
    await waitFeatures(page);
    // Every state the line goes through from now on.
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=storage-status]');
      window.__storageStates = [];
      new MutationObserver(() => window.__storageStates.push(el.getAttribute('data-state'))).observe(el, {
        attributeFilter: ['data-state'],
      });
    });
    console.log(`trained anyway in ${seconds(await train(page))}`);
    assert.equal((await classify(page, writePatterns('disc', 1, 60)[0])).label, 'Class 1');
    // The trained classifier is a change too: tried again, refused again.
    await page.waitForFunction(() => window.__storageStates.join() === 'saving,failed', null, { timeout: 60_000 });
    console.log(`after training: "${(await waitStorage(page, 'failed')).text}"`);
  } finally {
    await close();
  }
});
