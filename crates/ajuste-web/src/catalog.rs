//! The projects kept on this device, listed: for each project id, a catalog entry (name,
//! classes, images, size, last change) in the store "catalog", beside its file in "projects"
//! (`autosave.rs` writes both together). Which project the page opens is the one used last,
//! remembered per deployment (`last_used`).

use js_sys::{Object, Reflect};
use rexie::{TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use super::autosave::{
    self, ASIDE_PREFIX, CATALOG, STORE, StorageError, committed, describe, open,
};
use super::records::{self, Kept};
use super::scope;
use ajuste_protocol::records::ProjectRecord;

/// The id of the project kept before there were several (its file has always had this key),
/// and of the first one on a new device.
pub const FIRST_PROJECT: &str = "current";

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: String,
    /// Empty until the person names it (the page then shows a default).
    pub name: String,
    pub classes: usize,
    pub images: usize,
    /// The stored file's size.
    pub bytes: f64,
    /// When it was last stored, in milliseconds since 1970.
    pub changed: f64,
}

impl Entry {
    /// A project with nothing stored yet.
    pub fn empty(id: &str, name: &str) -> Self {
        Self {
            id: id.to_string(),
            name: name.to_string(),
            classes: 0,
            images: 0,
            bytes: 0.0,
            changed: js_sys::Date::now(),
        }
    }
}

pub(super) fn to_js(entry: &Entry) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &key.into(), &value);
    };
    set("name", entry.name.as_str().into());
    set("classes", (entry.classes as f64).into());
    set("images", (entry.images as f64).into());
    set("bytes", entry.bytes.into());
    set("changed", entry.changed.into());
    object.into()
}

fn from_js(id: &str, value: &JsValue) -> Entry {
    let number = |key: &str| {
        Reflect::get(value, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(0.0)
    };
    let name = Reflect::get(value, &"name".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    Entry {
        id: id.to_string(),
        name,
        classes: number("classes") as usize,
        images: number("images") as usize,
        bytes: number("bytes"),
        changed: number("changed"),
    }
}

/// What is kept on this device, read in one transaction.
pub struct Listing {
    /// Every project, the most recently changed first: every catalog entry, and every stored
    /// file without one (the project kept before there was a catalog, unnamed).
    pub projects: Vec<Entry>,
    /// The keys of every record set aside (`aside:<time>`), oldest first.
    pub set_aside: Vec<String>,
}

pub async fn list() -> Result<Listing, StorageError> {
    let database = open().await?;
    let listed = read_all(&database).await;
    database.close();
    let (entries, keys) = listed.map_err(|error| StorageError::Failed(describe(&error)))?;
    let mut projects: Vec<Entry> = entries.iter().map(|(id, v)| from_js(id, v)).collect();
    let (set_aside, files): (Vec<String>, Vec<String>) = keys
        .into_iter()
        .partition(|key| key.starts_with(ASIDE_PREFIX));
    for id in files {
        if !projects.iter().any(|entry| entry.id == id) {
            projects.push(Entry {
                changed: 0.0,
                ..Entry::empty(&id, "")
            });
        }
    }
    projects.sort_by(|a, b| b.changed.total_cmp(&a.changed));
    Ok(Listing {
        projects,
        set_aside,
    })
}

/// The catalog entry of `id`, if it has one.
pub async fn entry(id: &str) -> Result<Option<Entry>, StorageError> {
    let database = open().await?;
    let value = read_catalog(&database, id).await;
    database.close();
    let value = value.map_err(|error| StorageError::Failed(describe(&error)))?;
    Ok(value.map(|value| from_js(id, &value)))
}

/// Writes `entry` (a new project, or a new name).
pub async fn put(entry: &Entry) -> Result<(), StorageError> {
    let database = open().await?;
    let written = put_entry(&database, entry).await;
    database.close();
    committed(written)
}

/// A copy of `from`'s records or file (if it has any) and entry, as `to`.
pub async fn duplicate(from: &str, to: &Entry) -> Result<(), StorageError> {
    match records::load(from).await? {
        Kept::File(bytes) => autosave::store(to, &bytes).await,
        Kept::Record(record) => {
            let copy = ProjectRecord {
                store: records::new_store(&to.id),
                ..record.clone()
            };
            records::copy(&record, &copy, to).await
        }
        Kept::Nothing => put(to).await,
        Kept::Unusable(error) => Err(StorageError::Failed(error.to_string())),
    }
}

/// Deletes the records (or file) and the entry of `id` (one transaction).
pub async fn delete(id: &str) -> Result<(), StorageError> {
    let database = open().await?;
    let deleted = delete_project(&database, id).await;
    database.close();
    committed(deleted)
}

/// A new project id, unique on this device.
pub fn new_id() -> String {
    let time = js_sys::Date::now() as u64;
    let salt = (js_sys::Math::random() * 1e9) as u64;
    format!("p-{time:x}-{salt:x}")
}

/// The project to open: this tab's (a reload stays in it, whatever other tabs opened since),
/// else the one used last on this device, else the first project.
pub fn last_used() -> String {
    let key = last_used_key();
    [session_storage(), local_storage()]
        .into_iter()
        .flatten()
        .find_map(|storage| storage.get_item(&key).ok().flatten())
        .filter(|id| !id.is_empty() && !id.starts_with(ASIDE_PREFIX))
        .unwrap_or_else(|| FIRST_PROJECT.to_string())
}

/// Remembers `id` as the project to open, in this tab and at the next visit.
pub fn remember(id: &str) {
    let key = last_used_key();
    for storage in [session_storage(), local_storage()].into_iter().flatten() {
        let _ = storage.set_item(&key, id);
    }
}

fn last_used_key() -> String {
    format!("ajuste@{}#last-project", scope::app_scope())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

async fn read_all(database: &rexie::Rexie) -> rexie::Result<(Vec<(String, JsValue)>, Vec<String>)> {
    let transaction = database.transaction(&[STORE, CATALOG], TransactionMode::ReadOnly)?;
    let catalog = transaction.store(CATALOG)?;
    let keys = catalog.get_all_keys(None, None).await?;
    let values = catalog.get_all(None, None).await?;
    let entries = keys
        .into_iter()
        .zip(values)
        .filter_map(|(key, value)| Some((key.as_string()?, value)))
        .collect();
    let keys = (transaction.store(STORE)?.get_all_keys(None, None).await?)
        .into_iter()
        .filter_map(|key| key.as_string())
        .collect();
    Ok((entries, keys))
}

async fn read_catalog(database: &rexie::Rexie, id: &str) -> rexie::Result<Option<JsValue>> {
    let transaction = database.transaction(&[CATALOG], TransactionMode::ReadOnly)?;
    transaction.store(CATALOG)?.get(id.into()).await
}

async fn put_entry(database: &rexie::Rexie, entry: &Entry) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[CATALOG], TransactionMode::ReadWrite)?;
    (transaction.store(CATALOG)?)
        .put(&to_js(entry), Some(&JsValue::from_str(&entry.id)))
        .await?;
    transaction.done().await
}

async fn delete_project(database: &rexie::Rexie, id: &str) -> rexie::Result<TransactionResult> {
    let stores = [
        STORE,
        CATALOG,
        records::IMAGES,
        records::FEATURES,
        records::CLASSIFIERS,
    ];
    let transaction = database.transaction(&stores, TransactionMode::ReadWrite)?;
    let project = transaction.store(STORE)?;
    if let Some(store) = (project.get(id.into()).await?).and_then(|v| records::store_of(&v)) {
        records::delete_store(&transaction, &store).await?;
    }
    project.delete(id.into()).await?;
    transaction.store(CATALOG)?.delete(id.into()).await?;
    transaction.done().await
}
