// Bad input through the UI, each answered by a clear message next to its cause, without
// losing what was already added, and with the page still working afterwards.
//
// Tried here: training with no images; a non-image file (.txt); a zero-byte file; a corrupt
// JPEG; a huge image (25,000 px wide); an empty class; a single class (the other disabled);
// a class deleted then restored with Undo; camera permission denied; a bad file in the
// preview. At the end, images dropped and pasted onto a class (the other ways in).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  card,
  classify,
  configure,
  errors,
  sampleCount,
  serveApp,
  train,
  transferFiles,
  upload,
  waitCount,
  waitState,
} from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writeBadFiles, writePatterns, writeWebcamVideo } from './lib/fixtures.js';

let server;
before(async () => {
  server = await serveApp();
});
after(async () => {
  await server?.close();
});

/** Clicks Train and returns the inline training error (training must not start). */
async function trainingRefused(page) {
  await page.locator('[data-testid=train-button]').click();
  const error = page.locator('.training [data-testid=error]');
  await error.waitFor({ timeout: 60_000 });
  await waitState(page, ['ready', 'done']);
  return (await error.innerText()).trim();
}

async function cardError(page, index) {
  const error = card(page, index).locator('[data-testid=error]');
  await error.waitFor({ timeout: 60_000 });
  return (await error.innerText()).trim();
}

test('bad input: clear inline messages, nothing lost, the page keeps working', { timeout: 15 * 60_000 }, async () => {
  // Chromium's fake camera exists, but the page's request for it is denied.
  const { page, close } = await launchBrowser({
    fakeVideo: writeWebcamVideo(2),
    cameraAllowed: false,
    logPrefix: 'bad-input',
  });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    await configure(page, { epochs: 5, augment: false });

    let message = await trainingRefused(page);
    console.log(`training with no images -> "${message}"`);
    assert.match(message, /Class 1.*no images/);

    await upload(page, 0, writePatterns('disc', 2, 1));
    for (const { name, file, expect } of writeBadFiles()) {
      await card(page, 0).locator('[data-testid=upload-input]').setInputFiles(file);
      await page.waitForFunction(
        (name) => document.querySelector('[data-testid=class-card] [data-testid=error]')?.textContent.includes(name),
        name,
        { timeout: 120_000 },
      );
      message = await cardError(page, 0);
      console.log(`${name} -> "${message}"`);
      assert.match(message, expect);
      assert.equal(await sampleCount(page, 0), 2, `${name} must not change the images already added`);
      await card(page, 0).getByRole('button', { name: 'Dismiss' }).click();
    }

    message = await trainingRefused(page);
    console.log(`an empty class -> "${message}"`);
    assert.match(message, /Class 2.*no images/);

    await card(page, 1).locator('[data-testid=class-enabled]').uncheck();
    message = await trainingRefused(page);
    console.log(`a single class -> "${message}"`);
    assert.match(message, /two classes/);
    await card(page, 1).locator('[data-testid=class-enabled]').check();

    await card(page, 0).locator('[data-testid=delete-class]').click();
    assert.equal(await page.locator('[data-testid=class-card]').count(), 1);
    await page.locator('[data-testid=undo-delete]').click();
    assert.equal(await sampleCount(page, 0), 2, 'undo brings the class back with its images');

    await card(page, 0).locator('[data-testid=webcam-record]').click();
    message = await cardError(page, 0);
    console.log(`camera permission denied -> "${message}"`);
    assert.match(message, /permission denied/i);
    assert.equal(await sampleCount(page, 0), 2);

    // Still working: a second class, training, and the preview.
    await upload(page, 1, writePatterns('stripes', 2, 1));
    await train(page);
    assert.deepEqual(
      (await errors(page)).filter((e) => !/permission/i.test(e)),
      [],
      'no error left after a good run',
    );
    const { label } = await classify(page, writePatterns('stripes', 1, 60)[0]);
    assert.equal(label, 'Class 2');
    const bad = writeBadFiles().find((b) => b.name === 'empty.png');
    await page.locator('[data-testid=preview-input]').setInputFiles(bad.file);
    const previewError = page.locator('.preview [data-testid=error]');
    await previewError.waitFor({ timeout: 60_000 });
    console.log(`empty file in the preview -> "${(await previewError.innerText()).trim()}"`);
    assert.match(await previewError.innerText(), /empty/);
    assert.equal(await page.locator('[data-testid=prediction]').getAttribute('data-label'), 'Class 2');

    await transferFiles(card(page, 1), writePatterns('stripes', 1, 90), 'drop');
    await waitCount(page, 1, 3);
    await transferFiles(card(page, 1).locator('[data-testid=class-name]'), writePatterns('stripes', 1, 91), 'paste');
    await waitCount(page, 1, 4);
    console.log('drop and paste: both added an image to Class 2');
  } finally {
    await close();
  }
});
