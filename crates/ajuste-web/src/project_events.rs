//! The engine's answers to saving and opening files: a file to download, an opened project
//! (it replaces every class on the page), its thumbnails, an opened model, or a refusal. A
//! refused file changes nothing on the page.

use ajuste_protocol::limits::THUMBNAIL_SIDE;
use ajuste_protocol::{
    Command, EngineError, FileKind, OpenedClass, OpenedProject, SampleId, TrainingReport,
};
use js_sys::Uint8Array;
use leptos::prelude::*;

use super::files::download;
use super::frames::rgba_picture;
use super::messages;
use super::project::FileTask;
use super::state::{AppState, ClassModel, Phase, SampleModel};

impl AppState {
    pub(super) fn file_arrived(&self, kind: FileKind, name: &str, bytes: Option<Uint8Array>) {
        // Asked right after training, before the user could ask for any.
        if kind == FileKind::Model && self.copy_arrived(bytes.as_ref()) {
            return;
        }
        if matches!(
            self.file_task.get_untracked(),
            Some(FileTask::SaveProject | FileTask::ExportModel)
        ) {
            self.file_task.set(None);
        }
        let Some(bytes) = bytes else {
            return self
                .project_error
                .set(Some(messages::file_without_bytes(name)));
        };
        // Both are zip archives.
        let mime = match kind {
            FileKind::Project | FileKind::Model => "application/zip",
        };
        match download(&bytes, name, mime) {
            Ok(()) => self.project_status.set(Some(messages::file_saved(name))),
            Err(message) => self.project_error.set(Some(message)),
        }
    }

    /// Every class on the page gives way to the project's.
    pub(super) fn project_opened(&self, project: OpenedProject) {
        let reopening = self
            .project
            .try_update_value(|memory| std::mem::take(&mut memory.reopening))
            .unwrap_or(false);
        if reopening {
            return self.project_reopened(project);
        }
        let restoring = self.restore_waiting();
        // Its classifier (or none) is the engine's now; a restart opens the project again.
        self.drop_classifier_copy();
        let opened = self
            .project
            .try_update_value(|memory| memory.pending.take())
            .flatten();
        // Images added while the stored project was on its way stay, after its classes.
        let kept: Vec<ClassModel> = if restoring {
            let with_images = |c: &&ClassModel| c.samples.with_untracked(|s| !s.is_empty());
            self.classes
                .with_untracked(|classes| classes.iter().filter(with_images).copied().collect())
        } else {
            Vec::new()
        };
        let in_project = |id: u64| project.classes.iter().any(|c| c.id == id);
        for class in self.all_classes() {
            if kept.iter().any(|k| k.id == class.id) {
                continue;
            }
            class.samples.with_untracked(|samples| {
                for sample in samples {
                    self.forget_source(sample);
                }
            });
            // The engine dropped the old images already, except any sent after the project.
            if !in_project(class.id) {
                self.send(&Command::RemoveClass { class: class.id }, None);
            }
        }
        self.deleted.set(None);
        let used = project
            .classes
            .iter()
            .flat_map(|class| class.samples.iter().copied().chain([class.id]))
            .max();
        if let Some(used) = used {
            self.ids_past(used);
        }
        let images = project.classes.iter().map(|c| c.samples.len()).sum();
        if !restoring {
            self.file_task.set(None);
            self.project_status.set(Some(messages::project_opened(
                project.classes.len(),
                images,
            )));
        }
        let classes = project.classes.iter().map(class_of_project).chain(kept);
        self.classes.set(classes.collect());
        let size = opened
            .as_ref()
            .map_or(0.0, |file| f64::from(file.bytes.length()));
        self.project.update_value(|memory| memory.opened = opened);
        self.settings.set(project.settings);
        self.setting_errors.set(Vec::new());
        self.progress.set(None);
        self.training_error.set(None);
        let has_classifier = project.classifier_classes.is_some();
        self.classifier_from_file(project.report, has_classifier);
        // Kept as records from now on: the images as the engine hands them over, the
        // classifier as its copy; what was kept stays until they all are.
        self.autosave.update_value(|memory| memory.moving = true);
        if has_classifier {
            self.copy_classifier();
        }
        if restoring {
            self.restored(project.classes.len(), images, size);
        }
    }

    /// A restarted engine opened the project again: the page keeps its classes (renamed,
    /// deleted or added to since), and the engine forgets what the page no longer shows.
    fn project_reopened(&self, project: OpenedProject) {
        for class in &project.classes {
            if self.find_class(class.id).is_none() {
                self.send(&Command::RemoveClass { class: class.id }, None);
                continue;
            }
            for &sample in &class.samples {
                match self.find_sample(sample) {
                    Some(model) => model.accepted.set(true),
                    None => self.send(&Command::RemoveSample { sample }, None),
                }
            }
        }
        // The engine has the project's classifier again (the restart lost any later one).
        self.classifier_from_file(project.report, project.classifier_classes.is_some());
    }

    /// The opened project could not be opened again: its images (which have no other source
    /// in the page) leave the page, which says so.
    pub(super) fn reopen_failed(&self, message: String) {
        self.project.update_value(|memory| {
            memory.reopening = false;
            memory.opened = None;
        });
        let sources = self.sources;
        for class in self.all_classes() {
            class.samples.update(|samples| {
                samples.retain(|sample| sources.with_value(|s| s.contains_key(&sample.id)))
            });
        }
        self.project_error
            .set(Some(messages::project_not_reopened(&message)));
    }

    pub(super) fn thumbnail_arrived(
        &self,
        sample: SampleId,
        width: u32,
        height: u32,
        bytes: Option<Uint8Array>,
    ) {
        // Removed meanwhile, or kept through a restart.
        let Some(model) = self.find_sample(sample) else {
            return;
        };
        if model.thumbnail.with_untracked(|url| !url.is_empty()) {
            return;
        }
        let picture = bytes
            .filter(|_| width.max(height) <= THUMBNAIL_SIDE)
            .and_then(|rgba| rgba_picture(&rgba, width, height));
        match picture {
            Some(url) => model.thumbnail.set(url),
            // Only the picture is missing: the image itself is in the engine.
            None => web_sys::console::warn_1(
                &format!("a {width}×{height} thumbnail for image {sample} does not draw").into(),
            ),
        }
    }

    pub(super) fn model_opened(&self, classes: &[String]) {
        if self.copy_reopened() {
            return;
        }
        self.file_task.set(None);
        self.project_status
            .set(Some(messages::model_opened(classes)));
        self.classifier_from_file(None, true);
        self.copy_classifier();
    }

    /// A refusal that answers a save or an open goes to the project bar (true); any other
    /// is not this file's business (false).
    pub(super) fn file_rejected(&self, error: &EngineError) -> bool {
        let message = messages::engine_error(error);
        if self.file_answer_lost(message.clone()) {
            return true;
        }
        // Nothing waits for it, but it is about files all the same.
        let about_files = matches!(
            error,
            EngineError::ProjectFile(_) | EngineError::ModelFile(_) | EngineError::NoClassifier
        );
        if about_files {
            self.project_error.set(Some(message));
        }
        about_files
    }

    /// The answer to a save or an open will not come (refused, or unreadable): says why, if
    /// one was waiting (in the order they were asked: a reopening comes first after a
    /// restart, then the copy of the classifier, then what the user asked).
    pub(super) fn file_answer_lost(&self, message: String) -> bool {
        if self.project.with_value(|memory| memory.reopening) {
            self.reopen_failed(message);
            true
        } else if self.copy_lost(&message) {
            true
        } else if self.restore_waiting() {
            self.restore_failed(message);
            true
        } else if self.file_task.get_untracked().is_some() {
            self.file_failed(message);
            true
        } else {
            false
        }
    }

    /// The engine's classifier now comes from a file: no curves, maybe a report.
    fn classifier_from_file(&self, report: Option<TrainingReport>, has_classifier: bool) {
        self.report.set(report);
        self.evaluated.set(Vec::new());
        self.history.set(Vec::new());
        self.kept_history.set_value(Vec::new());
        self.has_classifier.set(has_classifier);
        // While loading, `Ready` settles the page.
        if matches!(self.phase.get_untracked(), Phase::Ready | Phase::Done) {
            self.settle();
        }
    }
}

/// A class of an opened project as the page shows it: its images are in the engine already
/// (accepted); their pictures follow as `Thumbnail` events.
fn class_of_project(class: &OpenedClass) -> ClassModel {
    let samples = class
        .samples
        .iter()
        .enumerate()
        .map(|(i, &id)| SampleModel {
            id,
            name: messages::project_image_name(&class.name, i + 1),
            thumbnail: RwSignal::new(String::new()),
            accepted: RwSignal::new(true),
        })
        .collect();
    ClassModel {
        id: class.id,
        name: RwSignal::new(class.name.clone()),
        enabled: RwSignal::new(class.enabled),
        samples: RwSignal::new(samples),
        error: RwSignal::new(None),
    }
}
