// The whole product on WebGPU (SwiftShader in headless Chromium): two classes from files and
// one from the (fake) webcam, transfer learning (d = 0) then fine-tuning (d = 1), the preview
// on held-back images and live on the webcam, the main thread's responsiveness during
// training, and screenshots at desktop and phone width (tests/e2e/output/).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  LONG_MS,
  cameraState,
  card,
  classify,
  configure,
  screenshot,
  seconds,
  serveApp,
  train,
  upload,
  waitAccepted,
  waitCamera,
  waitFeatures,
  waitState,
  watchFrames,
} from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns, writeWebcamVideo } from './lib/fixtures.js';

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const CLASSES = ['Red disc', 'Blue stripes', 'Green checks'];

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

async function bothWidths(page, name) {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/** Holds the card's record button until it has `frames` images. */
async function recordWebcam(page, cardIndex, frames) {
  const button = card(page, cardIndex).locator('[data-testid=webcam-record]');
  await button.hover();
  await page.mouse.down();
  await page.waitForFunction(
    ([i, n]) =>
      Number(document.querySelectorAll('[data-testid=class-card]')[i].querySelector('[data-testid=sample-count]').textContent) >= n,
    [cardIndex, frames],
    { timeout: 60_000, polling: 50 },
  );
  await page.mouse.up();
  // Every frame recorded reached the engine and was accepted.
  await waitAccepted(page, cardIndex);
}

async function checkHeldBack(page, heldBack, name) {
  for (const [expected, file] of heldBack) {
    const { label, confidence } = await classify(page, file);
    console.log(`${name}: ${file.split('/').pop()} -> "${label}" (${confidence.toFixed(3)})`);
    assert.equal(label, expected);
  }
}

test('full flow on WebGPU: files + webcam classes, d = 0 and d = 1, preview, responsiveness', { timeout: 25 * 60_000 }, async () => {
  const video = writeWebcamVideo();
  const { page, close } = await launchBrowser({ fakeVideo: video, logPrefix: 'flow' });
  try {
    const t0 = Date.now();
    await page.goto(server.url);
    await waitState(page, 'ready');
    console.log(`ready in ${seconds(Date.now() - t0)}`);
    assert.equal((await page.locator('[data-testid=backend]').innerText()).trim(), 'WebGPU');
    await bothWidths(page, 'empty');

    await page.locator('[data-testid=add-class]').click();
    for (const [i, name] of CLASSES.entries()) {
      await card(page, i).locator('[data-testid=class-name]').fill(name);
    }
    // One forward pass per image on SwiftShader: no augmented views.
    await configure(page, { epochs: 20, augment: false });
    await upload(page, 0, writePatterns('disc', 4, 1));
    await upload(page, 1, writePatterns('stripes', 4, 1));
    assert.equal(await cameraState(page), 'off', 'no camera before anyone asks for it');
    await recordWebcam(page, 2, 4);
    // The card still shows the camera; hiding it stops the camera (its light goes off).
    assert.equal(await cameraState(page), 'on');
    await card(page, 2).locator('[data-testid=webcam-hide]').click();
    await waitCamera(page, 'off');
    const started = Date.now();
    await waitFeatures(page);
    console.log(`features of ${await page.locator('[data-testid=features]').getAttribute('data-wanted')} images in ${seconds(Date.now() - started)}`);

    const heldBack = [
      [CLASSES[0], writePatterns('disc', 1, 50)[0]],
      [CLASSES[1], writePatterns('stripes', 1, 50)[0]],
      [CLASSES[2], writePatterns('checks', 1, 50)[0]],
    ];

    // Transfer learning.
    await page.locator('[data-testid=train-button]').click();
    await waitState(page, ['training', 'done']);
    const d0 = Date.now();
    await waitState(page, 'done');
    console.log(`d = 0: Train click to done in ${seconds(Date.now() - d0)}`);
    assert.ok(await page.locator('[data-testid=confusion-matrix]').isVisible());
    // Each count of the matrix shows its images: every cell's pictures add up to the images
    // the report was measured on.
    const cells = page.locator('[data-testid=confusion-cell]');
    assert.equal(await cells.count(), CLASSES.length ** 2, 'a button per cell');
    let shown = 0;
    let counted = 0;
    for (let i = 0; i < (await cells.count()); i++) {
      const count = Number(await cells.nth(i).innerText());
      if (count === 0) continue;
      const label = await cells.nth(i).getAttribute('aria-label');
      await cells.nth(i).click();
      // The caption names the cell as its button does: the pictures below are that cell's.
      await page.waitForFunction(
        ([label, n]) =>
          document.querySelector('[data-testid=cell-samples] figcaption')?.textContent === label &&
          document.querySelectorAll('[data-testid=cell-sample]').length === n,
        [label, count],
      );
      const pictures = page.locator('[data-testid=cell-samples] [data-testid=cell-sample]');
      assert.equal(await pictures.count(), count, `cell ${i}: ${count} images`);
      shown += await pictures.count();
      counted += count;
    }
    assert.ok(counted > 0 && shown === counted, `${shown} pictures for ${counted} evaluated images`);
    await checkHeldBack(page, heldBack, 'd = 0');
    await bothWidths(page, 'trained');

    // Fine-tuning the last block, watching the main thread meanwhile.
    await configure(page, { freezeDepth: 1, epochs: 3 });
    const frames = await watchFrames(page);
    await page.locator('[data-testid=train-button]').click();
    await waitState(page, 'training');
    // Typing still works while the worker trains.
    const name = card(page, 0).locator('[data-testid=class-name]');
    await name.click();
    await name.press('End');
    await name.pressSequentially(' typed', { delay: 20 });
    assert.equal(await name.inputValue(), `${CLASSES[0]} typed`);
    assert.equal(await waitState(page, ['training', 'done'], 1000), 'training');
    await name.fill(CLASSES[0]);
    const d1 = Date.now();
    await waitState(page, 'done');
    let { longestMs, frames: count } = await frames.stop();
    console.log(`d = 1: features + training done ${seconds(Date.now() - d1)} after typing`);
    console.log(`longest gap between animation frames during d = 1 training: ${longestMs.toFixed(1)} ms (${count} frames)`);
    if (longestMs >= 100) {
      // On 2 cores, another process (a build, SwiftShader's own threads) can starve the
      // renderer: measure one more d = 1 run before judging the page.
      const again = await watchFrames(page);
      await page.locator('[data-testid=train-button]').click();
      await waitState(page, 'training');
      await waitState(page, 'done');
      ({ longestMs, frames: count } = await again.stop());
      console.log(`longest gap between animation frames, second d = 1 run: ${longestMs.toFixed(1)} ms (${count} frames)`);
    }
    assert.ok(longestMs < 100, `main thread blocked for ${longestMs} ms`);
    await checkHeldBack(page, heldBack, 'd = 1');

    // Live webcam preview: the fake camera shows green checks.
    await page.locator('[data-testid=preview-webcam]').click();
    await page.waitForFunction(
      (label) => document.querySelector('[data-testid=prediction]')?.getAttribute('data-label') === label &&
        /fps/.test(document.querySelector('[data-testid=fps]')?.textContent ?? ''),
      CLASSES[2],
      { timeout: LONG_MS, polling: 100 },
    );
    console.log(`live preview: ${await page.locator('[data-testid=fps]').innerText()}`);
    assert.equal(await page.locator('[data-testid=prediction]').getAttribute('data-source'), 'trained');
    assert.equal(await cameraState(page), 'on');
    await bothWidths(page, 'preview');
    await page.locator('[data-testid=preview-webcam]').click();
    // Stopping the live preview stops the camera.
    await waitCamera(page, 'off');
    console.log(`total ${seconds(Date.now() - t0)}`);
  } finally {
    await screenshot(page, 'flow-final').catch((err) => console.log(`no screenshot: ${err.message}`));
    await close();
  }
});
