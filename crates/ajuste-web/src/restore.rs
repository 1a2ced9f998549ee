//! Restore: at start-up the page reads the project kept on this device (`saving.rs` keeps it).
//! Records (`records_restore.rs`) come back as they were: the classes, each image with its
//! picture and features, the classifier. A project kept as one file by an older version is
//! opened as if the user had opened its file (`send_project`, `project_opened`) and counts as
//! the opened project from then on, so a restarted engine gets it again (`reopen_project`).
//! Either is sent at once, before the engine is even ready (the engine takes commands in
//! order once it is), so that it opens before anything the user adds.
//!
//! A stored project that cannot be opened (unreadable, refused by the engine, or one the engine
//! stopped on) is set aside (`set_aside.rs`), never replaced by the next save.
//!
//! Until it is open nothing is saved (the autosave waits for `Stage::Idle`), and an image
//! added meanwhile is held back (`add_sample`), since opening replaces every image the engine
//! has; it is sent after, and its class stays after the restored ones.

use ajuste_protocol::Command;
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::autosave::{self, StorageError};
use super::messages;
use super::project::PROJECT_IDS;
use super::records::{self, Kept};
use super::saving::{Stage, storage_problem};
use super::state::AppState;
use super::storage_status::{StorageStatus, Stored};
use super::writer::Role;

impl AppState {
    /// Reads the project kept on this device and brings it back, if there is one.
    pub fn restore(self) {
        spawn_local(async move {
            self.projects.load_name().await;
            let status = match records::load(&self.projects.current_id()).await {
                Ok(Kept::Record(record)) => return self.restore_records(record).await,
                Ok(Kept::File(bytes)) => return self.send_restore(&bytes),
                Ok(Kept::Nothing) => StorageStatus::Empty,
                Ok(Kept::Unusable(error)) => {
                    let reason = messages::stored_project_unreadable(&error.to_string());
                    return self.set_aside_then_start(reason).await;
                }
                Err(StorageError::Failed(detail)) => {
                    let reason = messages::stored_project_unreadable(&detail);
                    return self.set_aside_then_start(reason).await;
                }
                Err(error) => StorageStatus::NotSaved(storage_problem(&error, 0.0)),
            };
            self.restore_done(status);
        });
    }

    /// Starts with nothing restored (the widget keeps nothing on the device).
    pub fn start_empty(self) {
        self.restore_done(StorageStatus::Empty);
    }

    fn send_restore(&self, bytes: &Uint8Array) {
        let first_id = self.reserve_ids(PROJECT_IDS);
        if let Err(message) = self.send_project(first_id, bytes) {
            let kept = self.project.with_value(|memory| memory.pending.is_some());
            // The engine stopped before it got it: its restart sends it (`restart_restore`).
            if !kept || self.engine_running() {
                self.restore_failed(message);
            }
        }
    }

    /// The engine's next `ProjectOpened` or file refusal is the restore's.
    pub(super) fn restore_waiting(&self) -> bool {
        self.autosave_stage.get_untracked() == Stage::Restoring
            && self.project.with_value(|memory| memory.pending.is_some())
    }

    /// The stored project is open (`project_opened`): it is what is kept.
    pub(super) fn restored(&self, classes: usize, images: usize, bytes: f64) {
        self.projects.ensure_entry(classes, images, bytes);
        self.restore_done(StorageStatus::Saved(Stored {
            classes,
            images,
            bytes,
            room_left: None,
            last_write: None,
        }));
        self.add_room_left();
    }

    /// The engine could not open the stored project: it is set aside, and the page starts
    /// empty.
    pub(super) fn restore_failed(&self, message: String) {
        self.project.update_value(|memory| memory.pending = None);
        let reason = messages::stored_project_unreadable(&message);
        spawn_local(self.set_aside_then_start(reason));
    }

    /// Moves the stored project aside (only the writer touches it), then starts without it.
    pub(super) async fn set_aside_then_start(self, reason: String) {
        // The lock's answer takes a few milliseconds; the engine's, longer.
        while self.writer.role.get_untracked() == Role::Asking {
            pause(10).await;
        }
        if self.writer.role.get_untracked() != Role::Writer {
            return self.restore_done(StorageStatus::NotSaved(reason));
        }
        let status = match autosave::set_aside(&self.projects.current_id()).await {
            Ok(key) => {
                self.set_aside.key.set(key);
                StorageStatus::NotSaved(reason)
            }
            // Not moved: nothing may be saved over it.
            Err(error) => {
                self.writer.role.set(Role::Stopped);
                StorageStatus::NotSaved(storage_problem(&error, 0.0))
            }
        };
        // The list shows the record set aside.
        self.projects.refresh();
        self.restore_done(status);
    }

    /// The records are back on the page: every image goes to the engine now (with those
    /// held meanwhile).
    pub(super) fn restored_records(&self, status: StorageStatus) {
        self.autosave.update_value(|memory| memory.held.clear());
        self.storage.set(status);
        self.autosave_stage.set(Stage::Idle);
        self.add_room_left();
        self.resend_samples(|_| true);
    }

    /// The page shows what is kept now (the restored project, or the start page when there
    /// was none), plus any image held meanwhile, which goes to the engine now.
    fn restore_done(&self, status: StorageStatus) {
        let held = self
            .autosave
            .try_update_value(|memory| std::mem::take(&mut memory.held))
            .unwrap_or_default();
        let shown = untrack(|| self.current_record());
        self.autosave
            .update_value(|memory| memory.said = Some((shown, status.clone())));
        self.storage.set(status);
        self.autosave_stage.set(Stage::Idle);
        if !held.is_empty() {
            self.resend_samples(move |sample| held.contains(&sample));
        }
    }

    /// A restarted engine (`restart`) gets the project being restored first, as the
    /// opened one; the images held for it are sent with every other image, after it.
    pub(super) fn restart_restore(&self) {
        if self.autosave_stage.get_untracked() != Stage::Restoring {
            return;
        }
        // The engine stopped while it opened the project, not before: opening it again
        // would stop the new one too.
        let crashed = self
            .autosave
            .try_update_value(|memory| std::mem::take(&mut memory.crashed_restoring))
            .unwrap_or(false);
        if crashed {
            self.autosave.update_value(|memory| memory.held.clear());
            self.project.update_value(|memory| memory.pending = None);
            return spawn_local(self.set_aside_then_start(messages::stored_project_crashed()));
        }
        self.autosave.update_value(|memory| memory.held.clear());
        let Some(file) = self.project.with_value(|memory| memory.pending.clone()) else {
            return; // Still being read: it is sent when it is.
        };
        // A fresh copy moves to the engine; the kept one stays for the next restart.
        let bytes: JsValue = file.bytes.slice(0, file.bytes.length()).into();
        let command = Command::OpenProject {
            first_id: file.first_id,
        };
        // A new engine that cannot take it has stopped already: the next restart sends it.
        if let Err(message) = self.try_send(&command, Some(&bytes)) {
            leptos::logging::warn!("the stored project waits for the next restart: {message}");
        }
    }
}

/// Resolves after `milliseconds`.
async fn pause(milliseconds: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds);
        }
    });
    let _ = JsFuture::from(promise).await;
}
