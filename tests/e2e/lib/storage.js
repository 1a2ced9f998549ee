// The project kept on this device, as the browser tests see it: the storage-status line, the
// page's classes and images, IndexedDB itself, and a crashed engine.

import assert from 'node:assert/strict';

import { LONG_MS } from './app.js';

/** The storage-status line: { state, saved, text }. */
export function storageStatus(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=storage-status]');
    return { state: el?.getAttribute('data-state'), saved: el?.getAttribute('data-saved'), text: el?.textContent.trim() };
  });
}

/**
 * Waits until storage-status reads `wanted` (data-state); fails at once on an unexpected "not
 * saved" (and, waiting for "saved", on "read-only").
 */
export async function waitStorage(page, wanted, timeout = LONG_MS) {
  const handle = await page.waitForFunction(
    (wanted) => {
      const el = document.querySelector('[data-testid=storage-status]');
      const state = el?.getAttribute('data-state');
      const wrong = state === 'failed' || (wanted === 'saved' && state === 'read-only');
      if (state !== wanted && !wrong) return null;
      return { state, saved: el.getAttribute('data-saved'), text: el.textContent.trim() };
    },
    wanted,
    { timeout, polling: 100 },
  );
  const status = await handle.jsonValue();
  if (status.state !== wanted) assert.fail(`storage-status: ${status.state}: ${status.text}`);
  return status;
}

/** Waits until the line says "Saved" with `images` images. */
export async function waitSavedImages(page, images, timeout = LONG_MS) {
  await page.waitForFunction(
    (images) => {
      const el = document.querySelector('[data-testid=storage-status]');
      return el?.getAttribute('data-state') === 'saved' && el.textContent.includes(` ${images} images`);
    },
    images,
    { timeout, polling: 100 },
  );
}

/** Classes, image counts, accepted flags and whether each image has its picture. */
export function snapshot(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=class-card]')].map((el) => ({
      name: el.querySelector('[data-testid=class-name]').value,
      count: Number(el.querySelector('[data-testid=sample-count]').textContent),
      accepted: [...el.querySelectorAll('[data-testid=sample]')].map((s) => s.getAttribute('data-accepted')),
      pictures: [...el.querySelectorAll('[data-testid=sample]')].map((s) => Boolean(s.querySelector('img')?.src)),
    })),
  );
}

/** Makes the engine worker's error event fire in the page, as a crash would. */
export async function killEngine(page) {
  const worker = page.workers().find((w) => w.url().includes('ajuste-worker'));
  assert.ok(worker, `no engine worker among ${page.workers().map((w) => w.url()).join(', ')}`);
  await worker.evaluate(() =>
    setTimeout(() => {
      throw new Error('killed by the test');
    }),
  );
}

/**
 * Every key of the "projects" store of IndexedDB database `database`, with its value: a project
 * record as `{ record }` (the record parsed), anything else as its bytes in an array (run in a
 * page of the app's origin). An absent database reads as {} and is not made.
 */
export function storedRecords(page, database) {
  return page.evaluate(async (database) => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes(database)) return {};
    const db = await new Promise((ok, fail) => {
      const request = indexedDB.open(database);
      request.onsuccess = () => ok(request.result);
      request.onerror = () => fail(request.error);
    });
    try {
      if (!db.objectStoreNames.contains('projects')) return {};
      const store = db.transaction('projects').objectStore('projects');
      const [keys, values] = await Promise.all(
        ['getAllKeys', 'getAll'].map(
          (method) =>
            new Promise((ok, fail) => {
              const request = store[method]();
              request.onsuccess = () => ok(request.result);
              request.onerror = () => fail(request.error);
            }),
        ),
      );
      const read = (value) =>
        typeof value?.record === 'string'
          ? { record: JSON.parse(value.record) }
          : [...new Uint8Array(value.buffer ?? value)];
      return Object.fromEntries(keys.map((key, i) => [key, read(values[i])]));
    } finally {
      db.close();
    }
  }, database);
}

/** Stores `bytes` under "current" in IndexedDB database `database`, as a page of the app would. */
export function storeRecord(page, database, bytes) {
  return page.evaluate(
    async ([database, bytes]) => {
      const db = await new Promise((ok, fail) => {
        const request = indexedDB.open(database, 1);
        request.onupgradeneeded = () => request.result.createObjectStore('projects');
        request.onsuccess = () => ok(request.result);
        request.onerror = () => fail(request.error);
      });
      try {
        await new Promise((ok, fail) => {
          const transaction = db.transaction('projects', 'readwrite');
          transaction.objectStore('projects').put(new Uint8Array(bytes), 'current');
          transaction.oncomplete = ok;
          transaction.onerror = () => fail(transaction.error);
        });
      } finally {
        db.close();
      }
    },
    [database, [...bytes]],
  );
}

/** How many records of `store` ("images", "features") IndexedDB database `database` holds. */
export function countRecords(page, database, store) {
  return page.evaluate(
    async ([database, store]) => {
      const db = await new Promise((ok, fail) => {
        const request = indexedDB.open(database);
        request.onsuccess = () => ok(request.result);
        request.onerror = () => fail(request.error);
      });
      try {
        if (!db.objectStoreNames.contains(store)) return 0;
        return await new Promise((ok, fail) => {
          const request = db.transaction(store).objectStore(store).count();
          request.onsuccess = () => ok(request.result);
          request.onerror = () => fail(request.error);
        });
      } finally {
        db.close();
      }
    },
    [database, store],
  );
}
