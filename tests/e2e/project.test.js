// Project and model files: train two classes (d = 0), save the project, open it on a fresh page
// (same classes, images, settings, report, and the same prediction without retraining), download
// the model and check that the native CLI predicts the same, open the model on a fresh page, and
// refuse bad project files (a text file, a truncated project, an empty file, a newer schema, a
// path traversal, a zip bomb, a PNG that would decode huge) without changing anything on the page.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

import {
  LONG_MS,
  card,
  classify,
  configure,
  reloadEmpty,
  samePrediction,
  serveApp,
  train,
  transferFiles,
  upload,
  waitAccepted,
  waitFeatures,
  waitState,
} from './lib/app.js';
import { REPO_ROOT, launchBrowser } from './lib/browser.js';
import { writePatterns } from './lib/fixtures.js';

const CLASSES = ['Red disc', 'Blue stripes'];
const IMAGES = 4;
const EPOCHS = 5;

// The CLI that tools/test.sh builds in its cargo-test stage (before the browser tests).
const TARGET_DIR = resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache', 'ajuste-target'));
const CLI = join(TARGET_DIR, 'release', 'ajuste');

let server;
let scratch;
before(async () => {
  server = await serveApp();
  scratch = await mkdtemp(join(tmpdir(), 'ajuste-project-test-'));
});
after(async () => {
  await server?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Clicks `testId` and saves the download it starts under the scratch folder. */
async function download(page, testId) {
  const [file] = await Promise.all([
    page.waitForEvent('download', { timeout: LONG_MS }),
    page.locator(`[data-testid=${testId}]`).click(),
  ]);
  const path = join(scratch, file.suggestedFilename());
  await file.saveAs(path);
  assert.ok(statSync(path).size > 0, `${testId}: an empty download`);
  return path;
}

/** Waits until the bar takes files again (nothing being saved or opened, engine idle). */
async function barReady(page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=open-project]')?.disabled, null, {
    timeout: LONG_MS,
    polling: 100,
  });
}

/** Classes, image counts, accepted flags and pictures, as the page shows them. */
async function snapshot(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=class-card]')].map((el) => ({
      name: el.querySelector('[data-testid=class-name]').value,
      count: Number(el.querySelector('[data-testid=sample-count]').textContent),
      accepted: [...el.querySelectorAll('[data-testid=sample]')].map((s) => s.getAttribute('data-accepted')),
      pictures: [...el.querySelectorAll('[data-testid=sample] img')].map((img) => img.getAttribute('src')),
    })),
  );
}

/** The results panel: its attributes and its text. */
async function results(page) {
  const panel = page.locator('[data-testid=results]');
  await panel.waitFor({ timeout: 60_000 });
  return {
    epochsRun: await panel.getAttribute('data-epochs-run'),
    cancelled: await panel.getAttribute('data-cancelled'),
    seconds: await panel.getAttribute('data-seconds'),
    text: (await panel.innerText()).trim(),
  };
}

/** Opens `file` through the bar's `testId` picker and waits for a classifier; fails at once on the bar's error. */
async function openFile(page, testId, file) {
  await barReady(page);
  await page.locator(`[data-testid=${testId}]`).setInputFiles(file);
  const handle = await page.waitForFunction(
    () => {
      const error = document.querySelector('[data-testid=project-error]');
      if (error) return { error: error.textContent };
      const state = document.querySelector('[data-testid=trainer]')?.getAttribute('data-state');
      return state === 'done' ? { state } : null;
    },
    null,
    { timeout: LONG_MS, polling: 100 },
  );
  const result = await handle.jsonValue();
  if (result.error) assert.fail(`opening ${file}: ${result.error}`);
  const status = (await page.locator('[data-testid=project-status]').innerText()).trim();
  console.log(`${testId}: ${status}`);
  return status;
}

/** Opens `file` as a project (through the picker, or dropped on the bar) and returns the bar's error. */
/**
 * Project files made to hurt (written with Python's zipfile, as anyone could): a newer schema
 * version, an entry that climbs out of its folder, a zip bomb (an image entry: a PNG header,
 * then 300 MB of zeros) and a PNG whose header asks for a 256 × 1,000,000 picture.
 */
function writeHostileProjects(dir) {
  const script = String.raw`
import json, struct, sys, zipfile, zlib
dir = sys.argv[1]
def manifest(images, version=2):
    return json.dumps({"format": "ajuste-project", "schema_version": version, "written_by": "test",
        "classes": [{"name": "a", "enabled": True, "images": images}],
        "settings": {"freeze_depth": 0, "epochs": 20, "batch_size": 16, "learning_rate": 0.001,
                     "augment": True, "validation_share": 0.15},
        "report": None, "includes_classifier": False, "depth0_features": None})
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
def write(name, entries):
    with zipfile.ZipFile(f"{dir}/{name}", "w", zipfile.ZIP_DEFLATED) as z:
        for entry, data in entries:
            z.writestr(entry, data)
write("newer.ajuste", [("manifest.json", json.dumps({"format": "ajuste-project", "schema_version": 99}))])
write("traversal.ajuste", [("manifest.json", manifest(["../../evil.png"])), ("../../evil.png", b"x")])
def png_header(width, height):
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
bomb = png_header(256, 256) + bytes(300 << 20)
write("bomb.ajuste", [("manifest.json", manifest(["images/0/0.png"])), ("images/0/0.png", bomb)])
tall = png_header(256, 1000000)
write("pixels.ajuste", [("manifest.json", manifest(["images/0/0.png"])), ("images/0/0.png", tall + chunk(b"IEND", b""))])
`;
  execFileSync('python3', ['-c', script, dir]);
  const names = ['newer', 'traversal', 'bomb', 'pixels'];
  return Object.fromEntries(names.map((name) => [name, join(dir, `${name}.ajuste`)]));
}

async function refusedProject(page, file, how = 'pick') {
  await barReady(page);
  if (how === 'drop') await transferFiles(page.locator('[data-testid=project-bar]'), [file], 'drop');
  else await page.locator('[data-testid=open-project]').setInputFiles(file);
  const error = page.locator('[data-testid=project-error]');
  await error.waitFor({ timeout: LONG_MS });
  const text = (await error.innerText()).trim();
  await page.locator('[data-testid=dismiss-project-error]').click();
  await error.waitFor({ state: 'detached' });
  return text;
}

test('project and model files: save, open, CLI parity, bad files', { timeout: 25 * 60_000 }, async () => {
  assert.ok(
    existsSync(CLI),
    `the ajuste CLI is not built at ${CLI}: run \`cargo build --release --bin ajuste\` ` +
      '(tools/test.sh builds it in its cargo-test stage), or set CARGO_TARGET_DIR to where it is',
  );
  const { page, close } = await launchBrowser({ logPrefix: 'project' });
  try {
    await page.goto(server.url);
    await waitState(page, 'ready');
    assert.ok(await page.locator('[data-testid=download-model]').isDisabled(), 'no model to download before training');
    for (const [i, name] of CLASSES.entries()) {
      await card(page, i).locator('[data-testid=class-name]').fill(name);
    }
    await configure(page, { freezeDepth: 0, epochs: EPOCHS, augment: false });
    await upload(page, 0, writePatterns('disc', IMAGES, 1));
    await upload(page, 1, writePatterns('stripes', IMAGES, 1));
    await waitFeatures(page);
    await train(page);
    const heldBack = writePatterns('disc', 1, 60)[0];
    const trained = await classify(page, heldBack);
    assert.equal(trained.source, 'trained');
    console.log(`trained page: "${trained.label}" (${trained.confidence})`);
    const trainedResults = await results(page);

    const project = await download(page, 'save-project');
    assert.match(project, /\.ajuste$/);
    console.log(`project file: ${statSync(project).size} bytes`);
    const model = await download(page, 'download-model');
    assert.match(model, /\.zip$/);

    // The native CLI reads the downloaded model and answers as the page did.
    const out = execFileSync(CLI, ['predict', '--model', model, heldBack, '--json', '--backend', 'cpu'], {
      encoding: 'utf8',
      timeout: 5 * 60_000,
    });
    const [cli] = JSON.parse(out);
    samePrediction({ label: cli.label, confidence: cli.confidence }, trained, 'CLI on the downloaded model');

    // A fresh page (nothing kept on the device) opens the project: everything back, and the
    // classifier answers without training.
    await reloadEmpty(page, server.url);
    await waitState(page, 'ready');
    const status = await openFile(page, 'open-project', project);
    assert.match(status, new RegExp(`${CLASSES.length} classes and ${CLASSES.length * IMAGES} images`));
    for (const index of CLASSES.keys()) await waitAccepted(page, index, IMAGES);
    await page.waitForFunction(
      () => {
        const samples = [...document.querySelectorAll('[data-testid=sample]')];
        return samples.length > 0 && samples.every((s) => s.querySelector('img')?.src.startsWith('data:image/'));
      },
      null,
      { timeout: LONG_MS, polling: 100 },
    );
    const opened = await snapshot(page);
    assert.deepEqual(
      opened.map(({ name, count }) => ({ name, count })),
      CLASSES.map((name) => ({ name, count: IMAGES })),
    );
    assert.equal(await page.locator('[data-testid=epochs]').inputValue(), String(EPOCHS));
    assert.equal(await page.locator('[data-testid=augment]').isChecked(), false);
    assert.deepEqual(await results(page), trainedResults, 'the same report');
    const reopened = await classify(page, heldBack);
    assert.equal(reopened.source, 'trained');
    samePrediction(reopened, trained, 'opened project');

    // Bad project files change nothing.
    const notes = join(scratch, 'notes.ajuste');
    writeFileSync(notes, 'These are notes, not a project.\n');
    const truncated = join(scratch, 'truncated.ajuste');
    const whole = readFileSync(project);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const empty = join(scratch, 'empty.ajuste');
    writeFileSync(empty, Buffer.alloc(0));
    const hostile = writeHostileProjects(scratch);
    for (const [file, how, reason] of [
      [notes, 'pick', /not a zip/i],
      [truncated, 'pick', /damaged or incomplete/i],
      [truncated, 'drop', /damaged or incomplete/i],
      [empty, 'pick', /not a zip/i],
      [hostile.newer, 'pick', /newer version of Ajuste.*update/i],
      [hostile.traversal, 'pick', /unsafe entry name/i],
      [hostile.bomb, 'drop', /unpacks to more than/i],
      [hostile.pixels, 'pick', /short side of 256/i],
    ]) {
      const message = await refusedProject(page, file, how);
      console.log(`${file.split('/').pop()} (${how}) -> "${message}"`);
      assert.match(message, /cannot be opened/i);
      assert.match(message, reason);
      assert.deepEqual(await snapshot(page), opened, 'the page is unchanged');
      assert.equal(await waitState(page, ['done', 'ready']), 'done', 'the classifier stays');
    }
    samePrediction(await classify(page, heldBack), trained, 'after the bad files');

    // A fresh page opens the model alone.
    await reloadEmpty(page, server.url);
    await waitState(page, 'ready');
    assert.match(await openFile(page, 'open-model', model), new RegExp(CLASSES.join(', ')));
    const fromModel = await classify(page, heldBack);
    assert.equal(fromModel.source, 'trained');
    samePrediction(fromModel, trained, 'opened model');
  } finally {
    await close();
  }
});
