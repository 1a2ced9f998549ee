//! A project kept as records in IndexedDB (the form and the plan are `ajuste_protocol::records`):
//! the project record in "projects" under the project's id, beside its catalog entry; each
//! image in "images" and its features in "features", keyed `[store, image id]`; the model file
//! in "classifiers", keyed `[store, generation]`. PNGs are kept as blobs, which the browser
//! keeps on disk and hands back without reading them. A save is one transaction: the record
//! never lists what is not stored. A project kept as one file by an older version is still
//! read (`Kept::File`) and moved to records by its first save.

use ajuste_protocol::SampleId;
use ajuste_protocol::records::{ProjectRecord, RecordError, Writes};
use js_sys::{Array, Object, Reflect, Uint8Array};
use rexie::{KeyRange, Rexie, TransactionMode, TransactionResult};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::autosave::{self, CATALOG, STORE, StorageError, committed, describe, open};
use super::catalog::{self, Entry};

pub(super) const IMAGES: &str = "images";
pub(super) const FEATURES: &str = "features";
pub(super) const CLASSIFIERS: &str = "classifiers";
/// The property of a value in "projects" that marks a project record (and holds its JSON).
const RECORD: &str = "record";

/// What "projects" holds for a project.
pub enum Kept {
    Nothing,
    /// A project file, as older versions kept every project.
    File(Uint8Array),
    Record(ProjectRecord),
    /// A record that cannot be used; it is set aside.
    Unusable(RecordError),
}

/// An image's record.
pub struct ImageRecord {
    pub sample: SampleId,
    pub png: Blob,
    /// A data URL, or empty (the page draws one from the PNG).
    pub thumbnail: String,
}

/// Everything kept of a project.
pub struct Loaded {
    pub images: Vec<ImageRecord>,
    /// (image, weights fingerprint, row bytes).
    pub features: Vec<(SampleId, String, Uint8Array)>,
    /// The model file of the record's classifier.
    pub classifier: Option<Uint8Array>,
}

pub async fn load(project: &str) -> Result<Kept, StorageError> {
    let Some(value) = autosave::load(project).await? else {
        return Ok(Kept::Nothing);
    };
    if let Some(bytes) = autosave::bytes_of(&value) {
        return Ok(Kept::File(bytes));
    }
    Ok(match record_text(&value) {
        Some(json) => match ProjectRecord::parse(&json) {
            Ok(record) => Kept::Record(record),
            Err(error) => Kept::Unusable(error),
        },
        None => Kept::Unusable(RecordError::Damaged("not a project record".into())),
    })
}

fn key(store: &str, id: u64) -> JsValue {
    Array::of2(&store.into(), &(id as f64).into()).into()
}

/// Every key `[store, …]`.
fn range(store: &str) -> rexie::Result<KeyRange> {
    let low = Array::of2(&store.into(), &f64::NEG_INFINITY.into());
    let high = Array::of2(&store.into(), &f64::INFINITY.into());
    Ok(KeyRange::bound(&low, &high, None, None)?)
}

/// A JS object of `fields`.
fn object(fields: &[(&str, &JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

/// Every record of `store` in `records`, by image id (or generation).
async fn entries(records: &rexie::Store, store: &str) -> rexie::Result<Vec<(u64, JsValue)>> {
    let keys = records.get_all_keys(Some(range(store)?), None).await?;
    let values = records.get_all(Some(range(store)?), None).await?;
    Ok((keys.iter().zip(values))
        .filter_map(|(key, value)| Some((id_of(key)?, value)))
        .collect())
}

/// Puts `entry`'s project record (when there is a new one) and its catalog entry.
async fn put_project(
    transaction: &rexie::Transaction,
    entry: &Entry,
    record: Option<String>,
) -> rexie::Result<()> {
    let id = JsValue::from_str(&entry.id);
    if let Some(json) = record {
        let value = object(&[(RECORD, &json.into())]);
        transaction.store(STORE)?.put(&value, Some(&id)).await?;
    }
    (transaction.store(CATALOG)?)
        .put(&catalog::to_js(entry), Some(&id))
        .await?;
    Ok(())
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

fn id_of(key: &JsValue) -> Option<SampleId> {
    let id = Array::from(key).get(1).as_f64()?;
    (id >= 0.0 && id.fract() == 0.0).then_some(id as SampleId)
}

/// The records of `record`'s images, features and classifier.
pub async fn load_records(record: &ProjectRecord) -> Result<Loaded, StorageError> {
    let database = open().await?;
    let loaded = read_records(&database, record).await;
    database.close();
    loaded.map_err(|error| StorageError::Failed(describe(&error)))
}

async fn read_records(database: &Rexie, record: &ProjectRecord) -> rexie::Result<Loaded> {
    let transaction =
        database.transaction(&[IMAGES, FEATURES, CLASSIFIERS], TransactionMode::ReadOnly)?;
    let images = entries(&transaction.store(IMAGES)?, &record.store).await?;
    let images = (images.into_iter())
        .filter_map(|(sample, value)| {
            Some(ImageRecord {
                sample,
                png: field(&value, "png").dyn_into().ok()?,
                thumbnail: field(&value, "thumbnail").as_string().unwrap_or_default(),
            })
        })
        .collect();
    let features = entries(&transaction.store(FEATURES)?, &record.store).await?;
    let features = (features.into_iter())
        .filter_map(|(sample, value)| {
            let weights = field(&value, "weights").as_string()?;
            let row = autosave::bytes_of(&field(&value, "row"))?;
            Some((sample, weights, row))
        })
        .collect();
    let classifier = match record.classifier {
        Some(generation) => (transaction.store(CLASSIFIERS)?)
            .get(key(&record.store, generation))
            .await?
            .and_then(|value| autosave::bytes_of(&value)),
        None => None,
    };
    Ok(Loaded {
        images,
        features,
        classifier,
    })
}

/// One save: `writes` for `entry`'s project, whose images' PNGs and thumbnails are in
/// `images` and whose classifier's model file is `classifier` (when `writes` has one). The
/// bytes written: the PNGs, the model file and the record.
pub async fn commit(
    entry: &Entry,
    store: &str,
    writes: &Writes,
    images: &[(SampleId, Blob, String)],
    classifier: Option<&Uint8Array>,
) -> Result<f64, StorageError> {
    let record = match &writes.record {
        Some(record) => Some(record.to_json().map_err(StorageError::Failed)?),
        None => None,
    };
    let bytes = (images.iter().map(|(_, png, _)| png.size()).sum::<f64>())
        + classifier.map_or(0.0, |model| model.length().into())
        + record.as_ref().map_or(0.0, |json| json.len() as f64);
    let database = open().await?;
    let written = write(&database, entry, store, writes, record, images, classifier).await;
    database.close();
    committed(written).map(|()| bytes)
}

async fn write(
    database: &Rexie,
    entry: &Entry,
    store: &str,
    writes: &Writes,
    record: Option<String>,
    images: &[(SampleId, Blob, String)],
    classifier: Option<&Uint8Array>,
) -> rexie::Result<TransactionResult> {
    let stores = [STORE, CATALOG, IMAGES, FEATURES, CLASSIFIERS];
    let transaction = database.transaction(&stores, TransactionMode::ReadWrite)?;
    let image_store = transaction.store(IMAGES)?;
    for (sample, png, thumbnail) in images {
        let value = object(&[("png", png), ("thumbnail", &thumbnail.into())]);
        image_store.put(&value, Some(&key(store, *sample))).await?;
    }
    let feature_store = transaction.store(FEATURES)?;
    for sample in &writes.deleted {
        image_store.delete(key(store, *sample)).await?;
        feature_store.delete(key(store, *sample)).await?;
    }
    let classifiers = transaction.store(CLASSIFIERS)?;
    if let (Some(generation), Some(bytes)) = (writes.classifier, classifier) {
        classifiers
            .put(bytes, Some(&key(store, generation)))
            .await?;
    }
    if let Some(old) = writes.classifier_deleted {
        classifiers.delete(key(store, old)).await?;
    }
    put_project(&transaction, entry, record).await?;
    transaction.done().await
}

/// Keeps the features of some of `store`'s images, computed by the network `weights` names.
pub async fn put_features(
    store: &str,
    weights: &str,
    rows: &[(SampleId, Uint8Array)],
) -> Result<(), StorageError> {
    let database = open().await?;
    let written = write_features(&database, store, weights, rows).await;
    database.close();
    committed(written)
}

async fn write_features(
    database: &Rexie,
    store: &str,
    weights: &str,
    rows: &[(SampleId, Uint8Array)],
) -> rexie::Result<TransactionResult> {
    let transaction = database.transaction(&[IMAGES, FEATURES], TransactionMode::ReadWrite)?;
    let images = transaction.store(IMAGES)?;
    let features = transaction.store(FEATURES)?;
    for (sample, row) in rows {
        // Only beside its image: one deleted meanwhile leaves no row behind.
        if !images.key_exists(key(store, *sample)).await? {
            continue;
        }
        let value = object(&[("weights", &weights.into()), ("row", row)]);
        features.put(&value, Some(&key(store, *sample))).await?;
    }
    transaction.done().await
}

/// Deletes every record of `store` (a project deleted).
pub(super) async fn delete_store(
    transaction: &rexie::Transaction,
    store: &str,
) -> rexie::Result<()> {
    for name in [IMAGES, FEATURES, CLASSIFIERS] {
        let records = transaction.store(name)?;
        for key in records.get_all_keys(Some(range(store)?), None).await? {
            records.delete(key).await?;
        }
    }
    Ok(())
}

/// Copies every record of `from` to the store `to` (a project duplicated), with `record`.
pub async fn copy(
    from: &ProjectRecord,
    record: &ProjectRecord,
    entry: &Entry,
) -> Result<(), StorageError> {
    let json = record.to_json().map_err(StorageError::Failed)?;
    let database = open().await?;
    let copied = copy_records(&database, from, record, json, entry).await;
    database.close();
    committed(copied)
}

async fn copy_records(
    database: &Rexie,
    from: &ProjectRecord,
    record: &ProjectRecord,
    json: String,
    entry: &Entry,
) -> rexie::Result<TransactionResult> {
    let stores = [STORE, CATALOG, IMAGES, FEATURES, CLASSIFIERS];
    let transaction = database.transaction(&stores, TransactionMode::ReadWrite)?;
    for name in [IMAGES, FEATURES, CLASSIFIERS] {
        let records = transaction.store(name)?;
        for (id, value) in entries(&records, &from.store).await? {
            records.put(&value, Some(&key(&record.store, id))).await?;
        }
    }
    put_project(&transaction, entry, Some(json)).await?;
    transaction.done().await
}

/// The store of the record kept under `project`, if it is one.
pub(super) fn store_of(value: &JsValue) -> Option<String> {
    Some(ProjectRecord::parse(&record_text(value)?).ok()?.store)
}

/// A new store name for `project`, unique on this device.
pub fn new_store(project: &str) -> String {
    format!("{project}~{:x}", js_sys::Date::now() as u64)
}

/// A project record's JSON (also what a record set aside downloads as).
pub(super) fn record_text(value: &JsValue) -> Option<String> {
    Reflect::get(value, &RECORD.into()).ok()?.as_string()
}

/// A blob of `bytes` (kept by the browser, on disk when it likes).
pub fn blob_of(bytes: &Uint8Array) -> Option<Blob> {
    Blob::new_with_u8_array_sequence(&Array::of1(bytes)).ok()
}
