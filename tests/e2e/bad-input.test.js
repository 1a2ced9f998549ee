// Bad input through the UI, each answered by a clear message next to its cause, without
// losing what was already added, and with the page still working afterwards.
//
// Tried here: training with no images; a non-image file (.txt); a zero-byte file; a corrupt
// JPEG; a huge image (25,000 px wide); an empty class; a single class (the other disabled);
// two classes with one name, a class without a name, and each training setting out of range
// (refused by the page with the engine's limits, nothing sent); a class deleted then restored
// with Undo; camera permission denied (the camera stays off); a bad file in the preview. At
// the end, images dropped and pasted onto a class (the other ways in).

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
  waitAccepted,
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

/**
 * Clicks Train and returns the inline training error once it matches `expect` (training must
 * not start, or must end at once); fails with the text shown if it never does.
 */
async function trainingRefused(page, expect) {
  await page.locator('[data-testid=train-button]').click();
  const shown = () => page.evaluate(() => document.querySelector('#training-error')?.textContent.trim() ?? null);
  const until = Date.now() + 60_000;
  let message = await shown();
  while (!(message && expect.test(message)) && Date.now() < until) {
    await new Promise((ok) => setTimeout(ok, 100));
    message = await shown();
  }
  assert.match(message ?? '(no training error shown)', expect);
  await waitState(page, ['ready', 'done']);
  return message;
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

    let message = await trainingRefused(page, /Class 1.*no images/);
    console.log(`training with no images -> "${message}"`);

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

    message = await trainingRefused(page, /Class 2.*no images/);
    console.log(`an empty class -> "${message}"`);

    await card(page, 1).locator('[data-testid=class-enabled]').uncheck();
    message = await trainingRefused(page, /at least 2 classes/);
    console.log(`a single class -> "${message}"`);
    await card(page, 1).locator('[data-testid=class-enabled]').check();

    // Refused by the page itself, with the engine's limits: nothing is sent.
    const secondName = card(page, 1).locator('[data-testid=class-name]');
    await secondName.fill(' Class 1 ');
    message = await trainingRefused(page, /two classes are called "Class 1"/i);
    console.log(`two classes with one name -> "${message}"`);
    await secondName.fill('  ');
    message = await trainingRefused(page, /needs a name/);
    console.log(`a class without a name -> "${message}"`);
    assert.equal(await secondName.getAttribute('maxlength'), '60');
    await secondName.fill('Class 2');

    for (const [setting, bad, good, expect] of [
      ['epochs', 0, 5, /epochs must be between 1 and 1000/i],
      ['batchSize', 5000, 16, /batch size must be between 1 and 1024/i],
      ['learningRate', 2, 0.001, /learning rate must be a number above 0/i],
      ['validationShare', 0.9, 0.15, /validation share must be a number between 0 and 0.5/i],
    ]) {
      await configure(page, { [setting]: bad });
      const field = page.locator('label.setting [data-testid=error]');
      assert.match(await field.innerText(), expect, 'named next to its field');
      message = await trainingRefused(page, expect);
      console.log(`${setting} = ${bad} -> "${message}"`);
      await configure(page, { [setting]: good });
      // A fixed field clears its message.
      await field.waitFor({ state: 'detached', timeout: 10_000 });
    }

    await card(page, 0).locator('[data-testid=delete-class]').click();
    assert.equal(await page.locator('[data-testid=class-card]').count(), 1);
    await page.locator('[data-testid=undo-delete]').click();
    assert.equal(await sampleCount(page, 0), 2, 'undo brings the class back with its images');

    await card(page, 0).locator('[data-testid=webcam-record]').click();
    message = await cardError(page, 0);
    console.log(`camera permission denied -> "${message}"`);
    assert.match(message, /permission denied/i);
    assert.equal(await sampleCount(page, 0), 2);
    assert.equal(await page.locator('[data-testid=trainer]').getAttribute('data-camera'), 'off');

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
    await waitAccepted(page, 1, 3);
    await transferFiles(card(page, 1).locator('[data-testid=class-name]'), writePatterns('stripes', 1, 91), 'paste');
    await waitAccepted(page, 1, 4);
    console.log('drop and paste: both added an image to Class 2');
  } finally {
    await close();
  }
});
