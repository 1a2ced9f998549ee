//! Saving and opening files through the engine: the project (`.ajuste`: classes, images,
//! settings, classifier) and the model alone. The page sends the command here; the answers
//! come back as events (`project_events.rs`). An opened project's bytes stay in the page: its
//! images have no other source here, so a restarted engine is sent the project again.

use ajuste_protocol::{Command, ProjectClass};
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use web_sys::File;

use super::files::read;
use super::messages;
use super::samples::byte_length;
use super::saving::Stage;
use super::state::{AppState, Phase};

/// Ids set aside for an opening project's classes and images. The engine numbers them from
/// the first one up, and an id the page hands out while the project is on its way (an image
/// added meanwhile) must not be one of them. A project holds at most 20 000 entries (the
/// storage limits) and 100 classes; ids are 64-bit, so the gap costs nothing.
pub(super) const PROJECT_IDS: u64 = 1 << 20;

/// What the project bar is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileTask {
    SaveProject,
    OpenProject,
    ExportModel,
    OpenModel,
}

/// A project file as sent to the engine: the same file and first id give the same ids back.
#[derive(Clone)]
pub struct ProjectFile {
    pub first_id: u64,
    /// A copy in JS memory (the bytes sent moved to the worker).
    pub bytes: Uint8Array,
}

#[derive(Default)]
pub struct ProjectMemory {
    /// Sent, not answered yet.
    pub(super) pending: Option<ProjectFile>,
    /// The project the page's images came from.
    pub(super) opened: Option<ProjectFile>,
    /// A restarted engine is opening `opened` again.
    pub(super) reopening: bool,
}

impl AppState {
    /// Whether the bar's buttons work (tracked): the engine is idle and no other file is on
    /// its way. Opening replaces the classifier, so not while training. The project kept on
    /// this device being restored counts (an open meanwhile would take its place).
    pub fn files_ready(&self) -> bool {
        matches!(self.phase.get(), Phase::Ready | Phase::Done)
            && self.file_task.with(Option::is_none)
            && self.autosave_stage.get() != Stage::Restoring
    }

    pub fn save_project(&self) {
        self.start_file_task(FileTask::SaveProject);
        self.send_file_command(&self.project_command(), None);
    }

    /// Saving the project as the page shows it (also what the autosave keeps).
    pub(super) fn project_command(&self) -> Command {
        let classes = self
            .classes
            .get_untracked()
            .iter()
            .map(|class| ProjectClass {
                id: class.id,
                name: class.name.get_untracked().trim().to_string(),
                enabled: class.enabled.get_untracked(),
            })
            .collect();
        Command::SaveProject {
            classes,
            settings: self.settings.get_untracked(),
        }
    }

    pub fn export_model(&self) {
        self.start_file_task(FileTask::ExportModel);
        self.send_file_command(&Command::ExportModel, None);
    }

    pub fn open_project_file(&self, file: File) {
        let first_id = self.reserve_ids(PROJECT_IDS);
        self.open_file(
            FileTask::OpenProject,
            Command::OpenProject { first_id },
            file,
        );
    }

    pub fn open_model_file(&self, file: File) {
        self.open_file(FileTask::OpenModel, Command::OpenModel, file);
    }

    fn start_file_task(&self, task: FileTask) {
        self.project_error.set(None);
        self.project_status.set(None);
        self.file_task.set(Some(task));
    }

    fn open_file(&self, task: FileTask, command: Command, file: File) {
        self.start_file_task(task);
        // Checked on its size first: a file over the limit is not read at all.
        if let Err(invalid) = command.validate(Some(file.size() as usize)) {
            return self.file_failed(messages::invalid(&invalid));
        }
        let state = *self;
        spawn_local(async move {
            let bytes = match read(&file).await {
                Ok(bytes) => bytes,
                Err(message) => return state.file_failed(message),
            };
            // The engine stopped while the file was read: it is not waiting for it.
            if state.file_task.get_untracked() != Some(task) {
                return;
            }
            match command {
                Command::OpenProject { first_id } => {
                    if let Err(message) = state.send_project(first_id, &bytes) {
                        state.file_failed(message);
                    }
                }
                _ => state.send_file_command(&command, Some(&bytes)),
            }
        });
    }

    /// Sends a project file (its `bytes` move to the engine), keeping a copy as the pending
    /// project (`ProjectMemory`). Fails when the engine would refuse it (nothing is kept
    /// then), or when it cannot be sent (the copy stays).
    pub(super) fn send_project(&self, first_id: u64, bytes: &JsValue) -> Result<(), String> {
        let command = Command::OpenProject { first_id };
        command
            .validate(byte_length(bytes))
            .map_err(|invalid| messages::invalid(&invalid))?;
        // `new Uint8Array(typedArray)` copies.
        let copy = Uint8Array::new(bytes);
        self.project.update_value(|memory| {
            memory.pending = Some(ProjectFile {
                first_id,
                bytes: copy,
            })
        });
        self.try_send(&command, Some(bytes))
    }

    /// Checks the command as the engine will, then sends it; a failure ends the task.
    fn send_file_command(&self, command: &Command, bytes: Option<&JsValue>) {
        if let Err(invalid) = command.validate(bytes.and_then(byte_length)) {
            return self.file_failed(messages::invalid(&invalid));
        }
        if let Err(message) = self.try_send(command, bytes) {
            self.file_failed(message);
        }
    }

    /// A save or open ended without its answer: the bar says why, the page stays as it was.
    pub(super) fn file_failed(&self, message: String) {
        self.file_task.set(None);
        self.project.update_value(|memory| memory.pending = None);
        self.project_error.set(Some(message));
    }

    /// The engine stopped: what it was saving or opening will not come.
    pub(super) fn abandon_file_task(&self) {
        self.project.update_value(|memory| memory.reopening = false);
        self.abandon_classifier_copy();
        if self.file_task.get_untracked().is_some() {
            self.file_failed(messages::file_interrupted());
        }
    }

    /// Sends the opened project to a new engine before anything else (it replaces every
    /// image); the images added after it follow (`resend_samples`).
    pub(super) fn reopen_project(&self) {
        let Some(file) = self.project.with_value(|memory| memory.opened.clone()) else {
            return;
        };
        self.project.update_value(|memory| memory.reopening = true);
        // A fresh copy moves to the engine; the kept one stays for the next restart.
        let bytes: JsValue = file.bytes.slice(0, file.bytes.length()).into();
        let command = Command::OpenProject {
            first_id: file.first_id,
        };
        if let Err(message) = self.try_send(&command, Some(&bytes)) {
            self.reopen_failed(message);
        }
    }
}
