//! Autosave: after every change that matters, the page asks the engine for the project file
//! (exactly what Save project downloads) and keeps it on this device (`autosave.rs`), so that
//! a reload or a closed tab loses nothing. A change is anything a project file holds
//! ([`Snapshot`]); the save waits until changes pause and the engine is idle, and only once
//! the project kept before is back (`restore.rs`), else an empty page would replace it.
//!
//! Only the tab that holds the project's lock saves (`writer.rs`); another tab says that it
//! does not. A save that waits for the pause when the tab is hidden or closed starts at once.
//!
//! An autosave never occupies the project bar (`file_task`): a save or an open the user asks
//! while one is on its way is sent right behind it, and the engine, which answers commands in
//! order, answers the autosave first. So its answer is the first file answer to come while
//! it waits (`autosave_file`, `autosave_refused`).

use std::time::Duration;

use ajuste_protocol::{ClassId, SampleId, TrainSettings, TrainingReport};
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::autosave::{self, StorageError};
use super::messages;
use super::state::{AppState, Phase};
use super::storage_status::{StorageStatus, Stored};
use super::writer::Role;

/// Changes closer together than this make one save (a webcam recording makes ten a second).
const DEBOUNCE: Duration = Duration::from_millis(1500);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the project kept on this device, or waiting for the engine to open it.
    Restoring,
    Idle,
    /// The engine writes the file, then IndexedDB stores it.
    Saving,
}

/// What a project file of the page would hold. Two equal snapshots make the same file.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// Id, name, enabled, and the images the engine has.
    classes: Vec<(ClassId, String, bool, Vec<SampleId>)>,
    settings: TrainSettings,
    classifier: bool,
    report: Option<TrainingReport>,
    /// The file also keeps the features computed so far: once all are, one more save lets
    /// the next visit train without computing them again.
    features_done: bool,
}

#[derive(Default)]
pub struct AutosaveMemory {
    /// What the stored project holds, and what to say about it.
    pub(super) saved: Option<(Snapshot, StorageStatus)>,
    /// The last save that failed: tried again only after another change.
    failed: Option<Snapshot>,
    /// Asked of the engine, its file not back yet.
    in_flight: Option<Snapshot>,
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
            // Both read every signal they depend on, whatever the other says.
            let snapshot = self.snapshot();
            let ready = self.autosave_ready();
            untrack(|| self.changed(snapshot, ready));
        });
        self.save_when_hidden();
    }

    /// A tab being hidden may be closed or frozen without another word (phones do both):
    /// a save waiting for the pause starts now rather than never. (The engine still has to
    /// write the file, so a tab closed in the same instant keeps only what was stored.)
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

    /// The page as a project file would hold it (tracked); `None` while the engine has not
    /// accepted every image yet (the file would miss some).
    pub(super) fn snapshot(&self) -> Option<Snapshot> {
        let mut complete = true;
        let classes = self.classes.with(|classes| {
            classes
                .iter()
                .map(|class| {
                    let samples = class.samples.with(|samples| {
                        let mut accepted = Vec::with_capacity(samples.len());
                        for sample in samples {
                            if sample.accepted.get() {
                                accepted.push(sample.id);
                            } else {
                                complete = false;
                            }
                        }
                        accepted
                    });
                    (class.id, class.name.get(), class.enabled.get(), samples)
                })
                .collect()
        });
        let snapshot = Snapshot {
            classes,
            settings: self.settings.get(),
            classifier: self.has_classifier.get(),
            report: self.report.get(),
            features_done: self.features.with(|(ready, wanted)| ready == wanted),
        };
        complete.then_some(snapshot)
    }

    /// The engine can write the file now (tracked): idle, and no file of the user's waiting.
    fn autosave_ready(&self) -> bool {
        let stage = self.autosave_stage.get();
        let phase = self.phase.get();
        let file_waiting = self.file_task.with(Option::is_some);
        let writes = self.writer.writes();
        stage == Stage::Idle
            && matches!(phase, Phase::Ready | Phase::Done)
            && !file_waiting
            && writes
    }

    /// Something the autosave depends on changed: (re)starts the pause before saving, or
    /// says why it waits.
    fn changed(&self, snapshot: Option<Snapshot>, ready: bool) {
        self.stop_timer();
        // Restoring: nothing to save yet. Saving: this runs again when it ends.
        if self.autosave_stage.get_untracked() != Stage::Idle {
            return;
        }
        match self.writer.role.get_untracked() {
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
        let (saved, failed) = self
            .autosave
            .with_value(|memory| (memory.saved.clone(), memory.failed.clone()));
        if let Some(snapshot) = &snapshot {
            if let Some((_, status)) = saved.filter(|(kept, _)| kept == snapshot) {
                return self.storage.set(status);
            }
            if failed.as_ref() == Some(snapshot) {
                return; // Still "not saved", until the next change.
            }
        }
        if !ready {
            return self.storage.set(StorageStatus::Waiting);
        }
        self.storage.set(StorageStatus::Saving);
        // Images not accepted yet: their acceptance runs this again.
        if snapshot.is_some() {
            let state = *self;
            let timer = set_timeout_with_handle(move || state.autosave(), DEBOUNCE).ok();
            self.autosave.update_value(|memory| memory.timer = timer);
        }
    }

    fn stop_timer(&self) {
        if let Some(timer) = self.autosave.try_update_value(|m| m.timer.take()).flatten() {
            timer.clear();
        }
    }

    /// Asks the engine for the project file, if it still differs from the stored one.
    fn autosave(&self) {
        self.autosave.update_value(|memory| memory.timer = None);
        let snapshot = untrack(|| self.snapshot().filter(|_| self.autosave_ready()));
        let Some(snapshot) = snapshot else {
            return;
        };
        let command = self.project_command();
        // A class name being typed (empty, or twice the same) is refused before sending.
        if let Err(invalid) = command.validate(None) {
            return self.autosave_failed(snapshot, messages::invalid(&invalid));
        }
        self.autosave
            .update_value(|memory| memory.in_flight = Some(snapshot));
        self.autosave_stage.set(Stage::Saving);
        if let Err(message) = self.try_send(&command, None) {
            self.autosave_refused(message);
        }
    }

    /// An autosave waits for the engine's file: the next file answer is its.
    pub(super) fn autosave_waiting(&self) -> bool {
        self.autosave
            .with_value(|memory| memory.in_flight.is_some())
    }

    /// The autosave's project file arrived: it goes to the device, not to the downloads.
    pub(super) fn autosave_file(&self, name: &str, bytes: Option<Uint8Array>) {
        let Some(snapshot) = self.take_in_flight() else {
            return;
        };
        match bytes {
            Some(bytes) => spawn_local(self.store(snapshot, bytes)),
            None => self.autosave_failed(snapshot, messages::file_without_bytes(name)),
        }
    }

    /// The autosave's answer will not come (refused, unreadable, unsendable): true when one
    /// was waiting.
    pub(super) fn autosave_refused(&self, message: String) -> bool {
        match self.take_in_flight() {
            Some(snapshot) => {
                self.autosave_failed(snapshot, message);
                true
            }
            None => false,
        }
    }

    /// The engine stopped: the file asked for will not come. Not a failure of the
    /// storage: the changes wait for the restarted engine.
    pub(super) fn abandon_autosave(&self) {
        if self.take_in_flight().is_some() {
            self.autosave_stage.set(Stage::Idle);
        }
    }

    fn take_in_flight(&self) -> Option<Snapshot> {
        self.autosave
            .try_update_value(|memory| memory.in_flight.take())
            .flatten()
    }

    async fn store(self, snapshot: Snapshot, bytes: Uint8Array) {
        let size = f64::from(bytes.length());
        // Another tab took the project over while the engine wrote the file: it is that
        // tab's to save now.
        if !self
            .writer
            .role
            .with_untracked(|role| *role == Role::Writer)
        {
            self.autosave_stage.set(Stage::Idle);
            return;
        }
        let (classes, images) = counts(&snapshot);
        let entry = self.projects.entry(classes, images, size);
        match autosave::store(&entry, &bytes).await {
            Ok(()) => {
                self.writer.announce_saved();
                self.projects.refresh();
                self.now_stored(snapshot, classes, images, size);
                self.autosave_stage.set(Stage::Idle);
                // Once, when there is something worth keeping.
                let first = self.autosave.try_update_value(|memory| {
                    !std::mem::replace(&mut memory.asked_to_persist, true)
                });
                if first == Some(true) {
                    autosave::ask_to_persist().await;
                }
            }
            Err(error) => {
                self.autosave_failed(snapshot, storage_problem(&error, size));
            }
        }
    }

    /// The stored project holds `snapshot` now.
    fn now_stored(&self, snapshot: Snapshot, classes: usize, images: usize, bytes: f64) {
        let stored = Stored {
            classes,
            images,
            bytes,
            room_left: None,
        };
        let status = StorageStatus::Saved(stored);
        self.autosave.update_value(|memory| {
            memory.saved = Some((snapshot, status.clone()));
            memory.failed = None;
        });
        self.storage.set(status);
        self.add_room_left();
    }

    /// Completes the "saved" line with the room the browser still allows, once it says.
    pub(super) fn add_room_left(&self) {
        let state = *self;
        spawn_local(async move {
            let Some(room) = autosave::room_left().await else {
                return;
            };
            let add_room = |status: &mut StorageStatus| {
                if let StorageStatus::Saved(stored) = status {
                    stored.room_left = Some(room);
                }
            };
            state.autosave.update_value(|memory| {
                if let Some((_, status)) = &mut memory.saved {
                    add_room(status);
                }
            });
            state.storage.update(add_room);
        });
    }

    fn autosave_failed(&self, snapshot: Snapshot, reason: String) {
        self.autosave
            .update_value(|memory| memory.failed = Some(snapshot));
        self.storage.set(StorageStatus::NotSaved(reason));
        self.autosave_stage.set(Stage::Idle);
    }
}

/// Classes and images in a snapshot.
fn counts(snapshot: &Snapshot) -> (usize, usize) {
    let images = snapshot.classes.iter().map(|class| class.3.len()).sum();
    (snapshot.classes.len(), images)
}

/// The sentence for a storage error, for a file of `bytes`.
pub(super) fn storage_problem(error: &StorageError, bytes: f64) -> String {
    match error {
        StorageError::Unavailable(detail) => messages::storage_unavailable(detail),
        StorageError::Full => messages::storage_full(bytes),
        StorageError::Failed(detail) => messages::storage_failed(detail),
    }
}
