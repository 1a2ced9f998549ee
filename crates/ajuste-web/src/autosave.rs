//! The project kept on this device: one project file (the bytes the engine writes for Save
//! project) in IndexedDB, database "ajuste", object store "projects", under one key. Each
//! call opens the database and closes it again, so that nothing here holds it open (another
//! tab, or a test clearing the site's data, is never blocked by this page). What the page
//! does with it is in `saving.rs` and `restore.rs`.

use js_sys::{ArrayBuffer, Uint8Array};
use rexie::{ObjectStore, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

use super::i18n::td_string;
use super::language::locale;

const DATABASE: &str = "ajuste";
const STORE: &str = "projects";
/// The one project kept: the page's current one.
const KEY: &str = "current";

/// Why the project could not be read or kept.
#[derive(Clone, Debug)]
pub enum StorageError {
    /// The browser gives this page no IndexedDB (some private windows, site data blocked in
    /// its settings), or it would not open.
    Unavailable(String),
    /// The browser allows this page no more room.
    Full,
    /// Anything else, with the browser's words.
    Failed(String),
}

/// The stored project's bytes, if there is one.
pub async fn load() -> Result<Option<Uint8Array>, StorageError> {
    let database = open().await?;
    let value = read(&database).await;
    database.close();
    let Some(value) = value.map_err(|error| StorageError::Failed(describe(&error)))? else {
        return Ok(None);
    };
    // Stored as a Uint8Array; an ArrayBuffer is read as well.
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Ok(Some(bytes.clone()))
    } else if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        Ok(Some(Uint8Array::new(buffer)))
    } else {
        Err(StorageError::Failed(
            td_string!(locale(), storage.not_a_project).into(),
        ))
    }
}

/// Replaces the stored project with `bytes`, all or nothing (one transaction).
pub async fn store(bytes: &Uint8Array) -> Result<(), StorageError> {
    let database = open().await?;
    let written = write(&database, bytes).await;
    database.close();
    match written {
        Ok(TransactionResult::Committed) => Ok(()),
        // rexie does not say why a transaction aborted. A lone `put` whose request succeeded
        // is aborted at commit when it would go over the quota (Chromium and Firefox report
        // QuotaExceededError then); a disk failure would read the same, and is far rarer.
        Ok(TransactionResult::Aborted) => Err(StorageError::Full),
        Err(error) if names_quota(&error) => Err(StorageError::Full),
        Err(error) => Err(StorageError::Failed(describe(&error))),
    }
}

/// Bytes the browser still allows this page to store, when it says.
pub async fn room_left() -> Option<f64> {
    let promise = storage()?.estimate().ok()?;
    let estimate: StorageEstimate = JsFuture::from(promise).await.ok()?.unchecked_into();
    Some((estimate.get_quota()? - estimate.get_usage().unwrap_or(0.0)).max(0.0))
}

/// Asks the browser not to clear this page's data when space runs low (it may ask the
/// user, or decide itself); the answer changes nothing here, so it is only logged.
pub async fn ask_to_persist() {
    let Some(promise) = storage().and_then(|storage| storage.persist().ok()) else {
        return;
    };
    let granted = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool());
    leptos::logging::log!("persistent storage granted: {granted:?}");
}

/// `navigator.storage`, which only secure contexts have.
fn storage() -> Option<StorageManager> {
    let navigator = web_sys::window()?.navigator();
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    (!storage.is_undefined()).then(|| navigator.storage())
}

async fn open() -> Result<Rexie, StorageError> {
    Rexie::builder(DATABASE)
        .version(1)
        .add_object_store(ObjectStore::new(STORE))
        .build()
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))
}

async fn read(database: &Rexie) -> rexie::Result<Option<JsValue>> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadOnly)?;
    transaction.store(STORE)?.get(KEY.into()).await
}

async fn write(database: &Rexie, bytes: &Uint8Array) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    transaction
        .store(STORE)?
        .put(bytes, Some(&JsValue::from_str(KEY)))
        .await?;
    transaction.done().await
}

/// rexie's own message is only "idb error": the browser's words are in its source.
fn describe(error: &rexie::Error) -> String {
    let mut deepest: &dyn std::error::Error = error;
    while let Some(source) = deepest.source() {
        deepest = source;
    }
    deepest.to_string()
}

/// Whether the browser's error (a DOMException, shown as "Name: message") is the quota's.
fn names_quota(error: &rexie::Error) -> bool {
    describe(error).contains("QuotaExceededError")
}
