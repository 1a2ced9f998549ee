//! Autosave: the page keeps the project on this device as records (`records.rs`), writing
//! what changed (`ajuste_protocol::records::plan`). Each image the engine accepts comes back
//! as the PNG it keeps (`StoredImage`) and is written within a moment, before the page counts
//! it as saved; classes, settings and the report go in the small project record once typing
//! pauses; the classifier's model file when a new one is copied (`classifier_copy.rs`); the
//! features once computed (`features_saving.rs`). Nothing waits for the engine to be idle:
//! the engine writes nothing. Saving starts only once the project kept before is back
//! (`restore.rs`), else an empty page would replace it.
//!
//! Only the tab that holds the project's lock saves (`writer.rs`); another tab says that it
//! does not. A save that waits for the pause when the tab is hidden or closed starts at once.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use ajuste_protocol::SampleId;
use ajuste_protocol::records::{ProjectRecord, RECORD_SCHEMA, RecordClass, Saved, Writes, plan};
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::Blob;

use super::autosave::{self, StorageError};
use super::messages;
use super::records;
use super::state::AppState;
use super::storage_status::{StorageStatus, Stored};
use super::writer::Role;

/// Changes of the project record closer together than this make one save (typing a name).
const DEBOUNCE: Duration = Duration::from_millis(1500);
/// Images and classifiers are written at once (in the next task): a webcam recording's frames
/// that arrive while one save is on its way go together in the next.
const SOON: Duration = Duration::ZERO;
/// Bytes of one image's stored features (1280 f32).
const FEATURE_BYTES: f64 = (ajuste_protocol::limits::FEATURE_LEN * 4) as f64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the project kept on this device, or waiting for the engine to open it.
    Restoring,
    Idle,
    /// A transaction is on its way to IndexedDB.
    Saving,
}

#[derive(Default)]
pub struct AutosaveMemory {
    /// What the device holds.
    pub(super) saved: Saved,
    /// The first part of the keys of this project's records (`ProjectRecord::store`).
    pub(super) store: Option<String>,
    /// What is kept (a file of an older version, or the project before a file was opened)
    /// stays until the new records hold every image (see `plan`).
    pub(super) moving: bool,
    /// PNGs from the engine, not stored yet, with their pictures.
    pub(super) in_hand: HashMap<SampleId, (Blob, String)>,
    /// Bytes each stored image's PNG takes.
    pub(super) sizes: HashMap<SampleId, f64>,
    /// The last save: bytes written, milliseconds taken.
    last_write: Option<(f64, f64)>,
    /// Images whose features are stored.
    pub(super) features: BTreeSet<SampleId>,
    /// Features asked of the engine, not answered yet.
    pub(super) features_asked: bool,
    /// The last save that failed, and why: tried again only after another change.
    failed: Option<(ProjectRecord, String)>,
    /// What to say while the page shows this record unchanged, instead of saving it (the
    /// page as it started: empty, or why a kept project was set aside or could not be read).
    pub(super) said: Option<(ProjectRecord, StorageStatus)>,
    timer: Option<TimeoutHandle>,
    asked_to_persist: bool,
    /// Images added while the stored project was restored, sent once it is open.
    pub(super) held: Vec<SampleId>,
    /// The engine stopped after it was ready and while it opened the stored project.
    pub(super) crashed_restoring: bool,
}

impl AppState {
    /// Saves after each change that matters (call once, in the page's component).
    pub fn autosave_on_change(self) {
        Effect::new(move |_| {
            let current = self.current_record();
            let stage = self.autosave_stage.get();
            let role = self.writer.role.get();
            untrack(|| self.changed(&current, stage, role, DEBOUNCE));
        });
        self.save_when_hidden();
    }

    /// Something not tracked changed (an image or a classifier arrived): saves soon.
    pub(super) fn save_soon(&self) {
        untrack(|| {
            let current = self.current_record();
            let stage = self.autosave_stage.get();
            let role = self.writer.role.get();
            self.changed(&current, stage, role, SOON);
        });
    }

    /// A tab being hidden may be closed or frozen without another word (phones do both):
    /// a save waiting for the pause starts now rather than never.
    fn save_when_hidden(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let on_hide = Closure::<dyn Fn()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_none_or(|document| document.hidden());
            let waiting = self.autosave.with_value(|memory| memory.timer.is_some());
            if hidden && waiting {
                self.stop_timer();
                self.autosave();
            }
        });
        let listener = on_hide.as_ref().unchecked_ref();
        let _ = window.add_event_listener_with_callback("pagehide", listener);
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback("visibilitychange", listener);
        }
        // Listens for the page's whole life.
        on_hide.forget();
    }

    /// The project as the page shows it (tracked), as a record would hold it.
    pub(super) fn current_record(&self) -> ProjectRecord {
        let classes = self.classes.with(|classes| {
            (classes.iter())
                .map(|class| RecordClass {
                    id: class.id,
                    name: class.name.get(),
                    enabled: class.enabled.get(),
                    samples: class.samples.with(|s| s.iter().map(|s| s.id).collect()),
                })
                .collect()
        });
        let store = self.autosave.with_value(|memory| memory.store.clone());
        let classifier = self.has_classifier.get().then(|| self.copy_generation());
        ProjectRecord {
            schema: RECORD_SCHEMA,
            store: store.unwrap_or_default(),
            classes,
            settings: self.settings.get(),
            report: self.report.get(),
            history: self.history.get(),
            evaluated: self.evaluated.get(),
            classifier: classifier.flatten(),
        }
    }

    /// What the next save would write.
    fn writes(&self, current: &ProjectRecord) -> Writes {
        let classifier_in_hand = self.copy_bytes().is_some();
        self.autosave.with_value(|memory| {
            let in_hand = memory.in_hand.keys().copied().collect();
            plan(
                &memory.saved,
                current,
                &in_hand,
                classifier_in_hand,
                memory.moving,
            )
        })
    }

    /// Something the autosave depends on changed: (re)starts the pause before saving, or
    /// says why it waits.
    fn changed(&self, current: &ProjectRecord, stage: Stage, role: Role, pause: Duration) {
        // Restoring: nothing to save yet. Saving: this runs again when it ends.
        if stage != Stage::Idle {
            return;
        }
        match role {
            Role::Writer => {}
            // Told in a moment; or the line says why already.
            Role::Asking | Role::Stopped => return,
            Role::OpenElsewhere => {
                return self
                    .storage
                    .set(StorageStatus::ReadOnly { taken_over: false });
            }
            Role::TakenOver => {
                return self
                    .storage
                    .set(StorageStatus::ReadOnly { taken_over: true });
            }
        }
        let writes = self.writes(current);
        let failed = self.autosave.with_value(|memory| memory.failed.clone());
        if let Some((record, reason)) = failed
            && &record == current
        {
            // Still "not saved", until the next change.
            return self.storage.set(StorageStatus::NotSaved(reason));
        }
        // The page as it started (empty, or beside a project set aside): nothing to keep yet.
        let said = self
            .autosave
            .with_value(|memory| memory.said.clone().filter(|_| !memory.moving));
        if let Some((record, status)) = said
            && &record == current
        {
            self.stop_timer();
            return self.storage.set(status);
        }
        if writes.is_empty() {
            self.stop_timer();
            // Images the engine has not handed back yet: their arrival runs this again.
            let all_stored = self
                .autosave
                .with_value(|memory| current.samples().all(|s| memory.saved.images.contains(&s)));
            return self.storage.set(if all_stored {
                self.saved_status()
            } else {
                StorageStatus::Saving
            });
        }
        self.storage.set(StorageStatus::Saving);
        let soon = !writes.images.is_empty() || writes.classifier.is_some();
        let pause = if soon { SOON.min(pause) } else { pause };
        // A timer already set for sooner stays.
        if soon && self.autosave.with_value(|memory| memory.timer.is_some()) {
            return;
        }
        self.stop_timer();
        let state = *self;
        let timer = set_timeout_with_handle(move || state.autosave(), pause).ok();
        self.autosave.update_value(|memory| memory.timer = timer);
    }

    fn stop_timer(&self) {
        if let Some(timer) = self.autosave.try_update_value(|m| m.timer.take()).flatten() {
            timer.clear();
        }
    }

    /// Writes what changed, if the tab may.
    fn autosave(&self) {
        self.autosave.update_value(|memory| memory.timer = None);
        let writes_now = self.autosave_stage.get_untracked() == Stage::Idle
            && self.writer.role.get_untracked() == Role::Writer;
        if !writes_now {
            return;
        }
        let mut current = untrack(|| self.current_record());
        if current.store.is_empty() {
            let store = records::new_store(&self.projects.current_id());
            self.autosave
                .update_value(|memory| memory.store = Some(store.clone()));
            current.store = store;
        }
        let writes = self.writes(&current);
        if writes.is_empty() {
            return;
        }
        self.autosave_stage.set(Stage::Saving);
        spawn_local(self.store(current, writes));
    }

    async fn store(self, current: ProjectRecord, writes: Writes) {
        let (images, png_bytes) = self.autosave.with_value(|memory| {
            let images: Vec<(SampleId, Blob, String)> = (writes.images.iter())
                .filter_map(|id| {
                    let (png, thumbnail) = memory.in_hand.get(id)?;
                    Some((*id, png.clone(), thumbnail.clone()))
                })
                .collect();
            let deleted: f64 = (writes.deleted.iter())
                .filter_map(|id| memory.sizes.get(id))
                .sum();
            let added: f64 = images.iter().map(|(_, png, _)| png.size()).sum();
            (images, memory.sizes.values().sum::<f64>() - deleted + added)
        });
        let classifier = writes.classifier.and_then(|_| self.copy_bytes());
        let after = self
            .autosave
            .with_value(|memory| writes.applied_to(&memory.saved));
        let record = after.record.as_ref().unwrap_or(&current);
        let (classes, image_count) = (record.classes.len(), record.image_count());
        let bytes = self.stored_bytes(png_bytes, classifier.as_ref());
        let entry = self.projects.entry(classes, image_count, bytes);
        let started = js_sys::Date::now();
        let committed = records::commit(
            &entry,
            &current.store,
            &writes,
            &images,
            classifier.as_ref(),
        );
        match committed.await {
            Ok(written) => {
                let took = js_sys::Date::now() - started;
                self.writer.announce_saved();
                self.projects.refresh();
                self.autosave.update_value(|memory| {
                    for (id, png, _) in &images {
                        memory.in_hand.remove(id);
                        memory.sizes.insert(*id, png.size());
                    }
                    for id in &writes.deleted {
                        memory.features.remove(id);
                        memory.sizes.remove(id);
                    }
                    if writes.record.is_some() {
                        memory.moving = false;
                    }
                    memory.last_write = Some((written, took));
                    memory.saved = after;
                    memory.failed = None;
                });
                self.autosave_stage.set(Stage::Idle);
                self.add_room_left();
                self.store_features();
                // Once, when there is something worth keeping.
                let first = self.autosave.try_update_value(|memory| {
                    !std::mem::replace(&mut memory.asked_to_persist, true)
                });
                if first == Some(true) {
                    autosave::ask_to_persist().await;
                }
            }
            Err(error) => {
                let reason = storage_problem(&error, bytes);
                self.autosave
                    .update_value(|memory| memory.failed = Some((current, reason)));
                self.autosave_stage.set(Stage::Idle);
            }
        }
    }

    /// What the stored project takes: its images' PNGs (`png_bytes`), their features, its
    /// classifier.
    fn stored_bytes(&self, png_bytes: f64, classifier: Option<&Uint8Array>) -> f64 {
        let features = self.autosave.with_value(|memory| memory.features.len()) as f64;
        let classifier = classifier
            .or(self.copy_bytes().as_ref())
            .map_or(0.0, |b| b.length().into());
        png_bytes + features * FEATURE_BYTES + classifier
    }

    /// What the device holds, for the status line.
    pub(super) fn saved_status(&self) -> StorageStatus {
        let saved = self.autosave.with_value(|memory| {
            let record = memory.saved.record.as_ref()?;
            let png_bytes: f64 = memory.sizes.values().sum();
            Some((
                record.classes.len(),
                record.image_count(),
                png_bytes,
                memory.last_write,
            ))
        });
        let Some((classes, images, png_bytes, last_write)) = saved else {
            return StorageStatus::Empty;
        };
        StorageStatus::Saved(Stored {
            classes,
            images,
            bytes: self.stored_bytes(png_bytes, None),
            room_left: self.storage.with_untracked(|status| match status {
                StorageStatus::Saved(stored) => stored.room_left,
                _ => None,
            }),
            last_write,
        })
    }

    /// The engine handed over the image it keeps for `sample`: it is written soon.
    pub(super) fn image_to_store(&self, sample: SampleId, png: Option<Uint8Array>) {
        let Some(model) = self.find_sample(sample) else {
            return; // Removed meanwhile.
        };
        let Some(blob) = png.as_ref().and_then(records::blob_of) else {
            return;
        };
        let thumbnail = model
            .thumbnail
            .with_untracked(|url| url.starts_with("data:").then(|| url.clone()))
            .unwrap_or_default();
        self.autosave.update_value(|memory| {
            memory.in_hand.insert(sample, (blob, thumbnail));
        });
        self.save_soon();
    }

    /// Completes the "saved" line with the room the browser still allows, once it says.
    pub(super) fn add_room_left(&self) {
        let state = *self;
        spawn_local(async move {
            let Some(room) = autosave::room_left().await else {
                return;
            };
            state.storage.update(|status| {
                if let StorageStatus::Saved(stored) = status {
                    stored.room_left = Some(room);
                }
            });
        });
    }
}

/// The sentence for a storage error, for a save of `bytes`.
pub(super) fn storage_problem(error: &StorageError, bytes: f64) -> String {
    match error {
        StorageError::Unavailable(detail) => messages::storage_unavailable(detail),
        StorageError::Full => messages::storage_full(bytes),
        StorageError::Failed(detail) => messages::storage_failed(detail),
    }
}
