// What storage must never lose: a stored project the engine cannot open is set aside (kept,
// downloadable) and the page works; a project kept by the earlier, unscoped storage comes back
// after the upgrade; "Restart engine" after training brings back the newest classifier, which a
// reload then finds too.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  LONG_MS,
  classify,
  configure,
  samePrediction,
  serveApp,
  train,
  upload,
  waitAccepted,
  waitFeatures,
  waitState,
} from './lib/app.js';
import { launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';
import { countRecords, killEngine, storageStatus, storeRecord, storedRecords, waitSavedImages, waitStorage } from './lib/storage.js';

const DATABASE = 'ajuste@/';

let server;
let scratch;
before(async () => {
  server = await serveApp();
  scratch = await mkdtemp(join(tmpdir(), 'ajuste-recovery-'));
});
after(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A page of the app's origin that is not the app (to write IndexedDB before the app reads it). */
const beside = () => `${server.url}manifest.webmanifest`;

/** Two classes of three images, trained at d = 0 for `epochs`. */
async function trainTwoClasses(page, epochs) {
  await configure(page, { freezeDepth: 0, epochs, augment: false });
  await upload(page, 0, writePatterns('disc', 3, 1));
  await upload(page, 1, writePatterns('stripes', 3, 1));
  await waitFeatures(page);
  await train(page);
}

test('a stored project the engine cannot open is set aside, downloadable, and the page works', { timeout: 10 * 60_000 }, async () => {
  const newer = join(scratch, 'newer.ajuste');
  execFileSync('python3', [
    '-c',
    'import json, sys, zipfile\n' +
      'with zipfile.ZipFile(sys.argv[1], "w") as z:\n' +
      '    z.writestr("manifest.json", json.dumps({"format": "ajuste-project", "schema_version": 99}))',
    newer,
  ]);
  const bytes = await readFile(newer);
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'set-aside' });
  try {
    await page.goto(beside());
    await storeRecord(page, DATABASE, bytes);
    await page.goto(server.url);
    await waitState(page, 'ready');
    await page.locator('[data-testid=set-aside]').waitFor({ timeout: LONG_MS });
    const status = await waitStorage(page, 'failed');
    console.log(`a newer schema: "${status.text}"`);
    assert.match(status.text, /could not be opened.*newer/i);
    const records = await storedRecords(page, DATABASE);
    const aside = Object.keys(records).filter((key) => key.startsWith('aside:'));
    assert.equal(aside.length, 1, `one record set aside: ${Object.keys(records)}`);
    assert.equal(records.current, undefined, 'nothing left under "current" to be read again');

    // Its bytes, exactly as stored.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      page.locator('[data-testid=download-set-aside]').click(),
    ]);
    const saved = join(scratch, download.suggestedFilename());
    await download.saveAs(saved);
    assert.match(download.suggestedFilename(), /^ajuste-set-aside-.*\.ajuste$/);
    assert.deepEqual(await readFile(saved), bytes);

    // The page works and saves, beside what was set aside.
    await upload(page, 0, writePatterns('disc', 2, 1));
    await waitSavedImages(page, 2);
    const after = await storedRecords(page, DATABASE);
    assert.deepEqual(after[aside[0]], [...bytes], 'the set-aside record is untouched');
    assert.equal(after.current?.record?.classes[0].samples.length, 2);

    // At a later visit it is still there, under the projects, and still downloadable.
    await page.reload();
    await waitState(page, 'ready');
    await waitStorage(page, 'saved');
    assert.equal(await page.locator('[data-testid=set-aside]').count(), 0, 'the notice was for that visit');
    const list = page.locator('[data-testid=project-list]');
    await list.locator('summary').click();
    const listed = page.locator('[data-testid=set-aside-item]');
    await listed.waitFor({ timeout: 60_000 });
    assert.equal(await listed.getAttribute('data-key'), aside[0]);
    const [again] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      listed.locator('[data-testid=download-set-aside-item]').click(),
    ]);
    assert.deepEqual(await readFile(await again.path()), bytes);
  } finally {
    await close();
  }
});

test('a project kept by the unscoped storage comes back after the upgrade', { timeout: 15 * 60_000 }, async () => {
  // The fixture: a project file of today's format (what the unscoped storage kept: the same
  // bytes Save project downloads), from a trained page.
  const maker = await launchBrowser({ webgpu: false, logPrefix: 'fixture' });
  let fixture;
  let trained;
  const heldBack = writePatterns('disc', 1, 60)[0];
  try {
    await maker.page.goto(server.url);
    await waitState(maker.page, 'ready');
    await trainTwoClasses(maker.page, 5);
    trained = await classify(maker.page, heldBack);
    assert.equal(trained.label, 'Class 1', 'a disc is the disc class');
    const [download] = await Promise.all([
      maker.page.waitForEvent('download', { timeout: LONG_MS }),
      maker.page.locator('[data-testid=save-project]').click(),
    ]);
    fixture = await readFile(await download.path());
  } finally {
    await maker.close();
  }

  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'upgrade' });
  try {
    await page.goto(beside());
    await storeRecord(page, 'ajuste', fixture);
    await page.goto(server.url);
    await waitState(page, 'done');
    await waitAccepted(page, 0, 3);
    await waitAccepted(page, 1, 3);
    const status = await waitStorage(page, 'saved');
    console.log(`after the upgrade: "${status.text}"`);
    assert.match(status.text, /2 classes, 6 images/);
    samePrediction(await classify(page, heldBack), trained, 'the upgraded project\'s classifier');
    // Moved: now in this deployment's database, as records (the file replaced once every
    // image and the classifier were stored), and gone from the unscoped one.
    const { record } = (await storedRecords(page, DATABASE)).current;
    assert.deepEqual(record.classes.map((c) => c.samples.length), [3, 3]);
    assert.ok(record.classifier !== null, 'the classifier is kept');
    assert.equal(await countRecords(page, DATABASE, 'images'), 6);
    assert.deepEqual(await storedRecords(page, 'ajuste'), {});
    // And the records bring it back.
    await page.reload();
    await waitState(page, 'done');
    await waitAccepted(page, 0, 3);
    await waitAccepted(page, 1, 3);
    samePrediction(await classify(page, heldBack), trained, 'the classifier back from its record');
  } finally {
    await close();
  }
});

test('Restart engine after training brings back the newest classifier, and a reload too', { timeout: 15 * 60_000 }, async () => {
  const { page, close } = await launchBrowser({ webgpu: false, logPrefix: 'restart' });
  const heldBack = writePatterns('disc', 1, 60)[0];
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    await trainTwoClasses(page, 1);
    const older = await classify(page, heldBack);
    // A second run, longer: a different classifier (more confident on the held-back disc).
    await configure(page, { epochs: 30 });
    await train(page);
    const newest = await classify(page, heldBack);
    console.log(`one epoch: ${older.confidence}; thirty: ${newest.confidence}`);
    assert.equal(newest.label, 'Class 1', 'a disc is the disc class');
    assert.ok(Math.abs(newest.confidence - older.confidence) > 1e-3, 'the two runs answer differently');
    const results = await page.locator('[data-testid=results]').innerText();
    await waitStorage(page, 'saved');

    await killEngine(page);
    await waitState(page, 'error');
    await page.locator('[data-testid=restart-engine]').click();
    await waitState(page, 'done');
    samePrediction(await classify(page, heldBack), newest, 'after Restart engine');
    assert.equal(await page.locator('[data-testid=results]').innerText(), results, 'the same report');
    const status = await waitStorage(page, 'saved');
    console.log(`after the restart: "${status.text}"`);

    await page.reload();
    await waitState(page, 'done');
    samePrediction(await classify(page, heldBack), newest, 'after a reload');
    assert.equal((await storageStatus(page)).state, 'saved');
  } finally {
    await close();
  }
});
