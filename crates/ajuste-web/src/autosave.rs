//! The projects kept on this device: each one's project file (the bytes the engine writes for
//! Save project) in IndexedDB, in the database of this deployment (`scope.rs`: "ajuste@/",
//! "ajuste@/ajuste-beta/"), object store "projects", under the project's id; its name and
//! counts in the store "catalog" under the same id (`catalog.rs`), written in the same
//! transaction. A stored project the engine could not open is moved to a key of its own
//! ("aside:<time>"), never overwritten.
//! Each call opens the database and closes it again, so that nothing here holds it open
//! (another tab, or a test clearing the site's data, is never blocked by this page). What the
//! page does with it is in `saving.rs` and `restore.rs`; which tab may write, in `writer.rs`.

use js_sys::{ArrayBuffer, Uint8Array};
use rexie::{ObjectStore, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{StorageEstimate, StorageManager};

use super::scope;

use super::catalog::{self, Entry, FIRST_PROJECT};
use super::records;

/// Project files by project id.
pub(super) const STORE: &str = "projects";
/// Catalog entries by project id.
pub(super) const CATALOG: &str = "catalog";
/// 1: "projects" only; 2: "catalog" too; 3: records ("images", "features", "classifiers",
/// `records.rs`).
const VERSION: u32 = 3;
/// Before stores carried the deployment's scope, every deployment of an origin kept its
/// project in this database (same store, same key); `load` moves it to the scoped one.
const UNSCOPED_DATABASE: &str = "ajuste";
/// A stored project set aside is kept under this prefix and the time it was set aside.
pub(super) const ASIDE_PREFIX: &str = "aside:";

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

/// What "projects" holds for `project` (a project record, or the file an older version
/// kept), if anything. A project kept by an older version of the page in the unscoped database
/// is moved here first, as the first project (copied, then deleted there once the copy is
/// committed).
pub async fn load(project: &str) -> Result<Option<JsValue>, StorageError> {
    let database = open().await?;
    let mut value = read(&database, project).await;
    if matches!(value, Ok(None))
        && project == FIRST_PROJECT
        && let Some(unscoped) = take_unscoped(&database).await
    {
        value = Ok(Some(unscoped));
    }
    database.close();
    value.map_err(|error| StorageError::Failed(describe(&error)))
}

/// A stored value's bytes: stored as a Uint8Array; an ArrayBuffer is read as well.
pub(super) fn bytes_of(value: &JsValue) -> Option<Uint8Array> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        Some(bytes.clone())
    } else {
        value
            .dyn_ref::<ArrayBuffer>()
            .map(|buffer| Uint8Array::new(buffer))
    }
}

/// Replaces the stored file of `entry`'s project with `bytes`, and its catalog entry, all or
/// nothing (one transaction).
pub async fn store(entry: &Entry, bytes: &Uint8Array) -> Result<(), StorageError> {
    let database = open().await?;
    let written = write_project(&database, entry, bytes).await;
    database.close();
    committed(written)
}

async fn write_project(
    database: &Rexie,
    entry: &Entry,
    bytes: &Uint8Array,
) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[STORE, CATALOG], TransactionMode::ReadWrite)?;
    let id = JsValue::from_str(&entry.id);
    transaction.store(STORE)?.put(bytes, Some(&id)).await?;
    (transaction.store(CATALOG)?)
        .put(&catalog::to_js(entry), Some(&id))
        .await?;
    transaction.done().await
}

/// Moves the stored file of `project` (whatever it holds) to a key of its own, in one
/// transaction: the next save cannot overwrite it. The key, for [`load_set_aside`]; `None`
/// when nothing was stored.
pub async fn set_aside(project: &str) -> Result<Option<String>, StorageError> {
    let database = open().await?;
    let moved = move_aside(&database, project).await;
    database.close();
    match moved {
        Ok((key, TransactionResult::Committed)) => Ok(key),
        Ok((_, TransactionResult::Aborted)) => Err(StorageError::Full),
        Err(error) => Err(StorageError::Failed(describe(&error))),
    }
}

/// The bytes of a project set aside, as they were stored.
pub async fn load_set_aside(key: &str) -> Result<Option<Uint8Array>, StorageError> {
    let database = open().await?;
    let value = read(&database, key).await;
    database.close();
    let value = value.map_err(|error| StorageError::Failed(describe(&error)))?;
    // A project record as its JSON; whatever else was stored, as its text (a last resort:
    // it is not a project file).
    Ok(value.map(|value| {
        bytes_of(&value).unwrap_or_else(|| {
            if let Some(json) = records::record_text(&value) {
                return Uint8Array::from(json.as_bytes());
            }
            let text = js_sys::JSON::stringify(&value)
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            Uint8Array::from(text.as_bytes())
        })
    }))
}

pub(super) fn committed(written: rexie::Result<TransactionResult>) -> Result<(), StorageError> {
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

/// This deployment's database.
pub(super) async fn open() -> Result<Rexie, StorageError> {
    Rexie::builder(&scope::database_name())
        .version(VERSION)
        .add_object_store(ObjectStore::new(STORE))
        .add_object_store(ObjectStore::new(CATALOG))
        .add_object_store(ObjectStore::new(records::IMAGES))
        .add_object_store(ObjectStore::new(records::FEATURES))
        .add_object_store(ObjectStore::new(records::CLASSIFIERS))
        .build()
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))
}

/// The database every deployment shared before names carried the scope, as it was.
async fn open_unscoped() -> Result<Rexie, StorageError> {
    Rexie::builder(UNSCOPED_DATABASE)
        .version(1)
        .add_object_store(ObjectStore::new(STORE))
        .build()
        .await
        .map_err(|error| StorageError::Unavailable(describe(&error)))
}

pub(super) async fn read(database: &Rexie, key: &str) -> rexie::Result<Option<JsValue>> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadOnly)?;
    transaction.store(STORE)?.get(key.into()).await
}

async fn write(database: &Rexie, key: &str, value: &JsValue) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    transaction
        .store(STORE)?
        .put(value, Some(&JsValue::from_str(key)))
        .await?;
    transaction.done().await
}

async fn move_aside(
    database: &Rexie,
    project: &str,
) -> rexie::Result<(Option<String>, TransactionResult)> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    let store = transaction.store(STORE)?;
    let Some(value) = store.get(project.into()).await? else {
        return Ok((None, transaction.done().await?));
    };
    let key = format!("{ASIDE_PREFIX}{}", js_sys::Date::new_0().to_iso_string());
    store.put(&value, Some(&JsValue::from_str(&key))).await?;
    store.delete(project.into()).await?;
    Ok((Some(key), transaction.done().await?))
}

/// The project an older page kept in the unscoped database, now copied into `database`
/// (and gone from the old one). Only looked for where the browser lists its databases:
/// opening one that does not exist would create it.
async fn take_unscoped(database: &Rexie) -> Option<JsValue> {
    if !unscoped_exists().await {
        return None;
    }
    let unscoped = open_unscoped().await.ok()?;
    let value = read(&unscoped, FIRST_PROJECT).await.ok().flatten();
    if let Some(value) = &value {
        match write(database, FIRST_PROJECT, value).await {
            Ok(TransactionResult::Committed) => {
                if let Err(error) = delete_key(&unscoped, FIRST_PROJECT).await {
                    leptos::logging::warn!("the old copy stays: {}", describe(&error));
                }
            }
            // Not copied: it stays where it is, and is read from there again next time.
            _ => leptos::logging::warn!("the project kept by an older version was not moved"),
        }
    }
    unscoped.close();
    value
}

async fn delete_key(database: &Rexie, key: &str) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[STORE], TransactionMode::ReadWrite)?;
    transaction.store(STORE)?.delete(key.into()).await?;
    transaction.done().await
}

/// Whether `indexedDB.databases()` lists the unscoped database.
async fn unscoped_exists() -> bool {
    let Some(factory) = web_sys::window()
        .and_then(|window| js_sys::Reflect::get(&window, &"indexedDB".into()).ok())
        .filter(|factory| factory.is_object())
    else {
        return false;
    };
    let Ok(databases) = js_sys::Reflect::get(&factory, &"databases".into()) else {
        return false;
    };
    let Some(databases) = databases.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    let Some(promise) =
        (databases.call0(&factory).ok()).and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
    else {
        return false;
    };
    let Ok(list) = JsFuture::from(promise).await else {
        return false;
    };
    js_sys::Array::from(&list).iter().any(|info| {
        js_sys::Reflect::get(&info, &"name".into())
            .ok()
            .and_then(|name| name.as_string())
            .is_some_and(|name| name == UNSCOPED_DATABASE)
    })
}

/// rexie's own message is only "idb error": the browser's words are in its source.
pub(super) fn describe(error: &rexie::Error) -> String {
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
