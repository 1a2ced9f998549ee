//! The page's state, as signals shared through context. How it changes lives beside it:
//! `engine.rs` (the worker's life), `events.rs` (what the engine says), `samples.rs` (images),
//! `train_command.rs` (starting and stopping training), `project.rs` (files) and `saving.rs`
//! with `restore.rs` (the project kept on this device).

use std::collections::HashMap;

use ajuste_protocol::{
    Backend, ClassId, Command, EpochMetrics, MemoryPlan, Prediction, SampleId, Throughput,
    TrainSettings, TrainingProgress, TrainingReport,
};
use leptos::prelude::*;

use super::classifier_copy::ClassifierCopy;
use super::i18n::td_string;
use super::import::Importer;
use super::language::locale;
use super::link::EngineLink;
use super::project::{FileTask, ProjectMemory};
use super::projects::Projects;
use super::resend::AnswerWaiters;
use super::runs::RunRecord;
use super::samples::SampleSource;
use super::saving::{AutosaveMemory, Stage};
use super::set_aside::SetAside;
use super::storage_status::StorageStatus;
use super::writer::Writer;

/// What the `trainer` test hook reports in `data-state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    Training,
    Done,
    Error,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Training => "training",
            Self::Done => "done",
            Self::Error => "error",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SampleModel {
    pub id: SampleId,
    /// What the user would call it (a file name, "webcam frame 3").
    pub name: String,
    /// An object URL or data URL; empty until it arrives (an opened project's images get
    /// theirs from the engine after the project itself).
    pub thumbnail: RwSignal<String>,
    /// The engine has decoded it (again, after a restart).
    pub accepted: RwSignal<bool>,
}

#[derive(Clone, Copy, Debug)]
pub struct ClassModel {
    pub id: ClassId,
    pub name: RwSignal<String>,
    pub enabled: RwSignal<bool>,
    pub samples: RwSignal<Vec<SampleModel>>,
    /// The last thing that went wrong with this class (a bad file, the camera).
    pub error: RwSignal<Option<String>>,
}

/// A class deleted a moment ago, restorable until the next deletion or a timeout.
#[derive(Clone, Copy, Debug)]
pub struct DeletedClass {
    pub class: ClassModel,
    pub position: usize,
}

pub type PredictionCallback = Box<dyn FnOnce(Result<Prediction, String>)>;

#[derive(Clone, Copy)]
pub struct AppState {
    pub(super) link: StoredValue<Option<EngineLink>, LocalStorage>,
    /// Counts the workers started; events from an older one are ignored.
    pub(super) generation: StoredValue<u64>,
    next_id: StoredValue<u64>,
    pub(super) predictions: StoredValue<HashMap<u64, PredictionCallback>, LocalStorage>,
    /// What each sample on the page was made from, to send it again to a new engine.
    pub(super) sources: StoredValue<HashMap<SampleId, SampleSource>, LocalStorage>,
    /// What waits for the engine's next answer about an image.
    pub(super) answer_waiters: StoredValue<AnswerWaiters, LocalStorage>,
    /// The curves of the classifier in use, back when a new run ends without replacing it.
    pub(super) kept_history: StoredValue<Vec<EpochMetrics>>,
    /// The newest classifier, for a restarted engine.
    pub(super) classifier_copy: StoredValue<ClassifierCopy, LocalStorage>,
    /// The project file opened (or being opened), for a restarted engine.
    pub(super) project: StoredValue<ProjectMemory, LocalStorage>,
    /// A save or open waiting for the engine's answer.
    pub file_task: RwSignal<Option<FileTask>>,
    /// Why the last save or open failed (in the project bar).
    pub project_error: RwSignal<Option<String>>,
    /// What the last save or open did.
    pub project_status: RwSignal<Option<String>>,
    /// What is kept on this device (the storage-status line).
    pub storage: RwSignal<StorageStatus>,
    /// Whether the stored project is being restored, or a save is on its way.
    pub(super) autosave_stage: RwSignal<Stage>,
    pub(super) autosave: StoredValue<AutosaveMemory, LocalStorage>,
    /// Whether this tab writes the project kept on this device.
    pub writer: Writer,
    /// A stored project that could not be opened, kept aside.
    pub set_aside: SetAside,
    /// Which project this page shows, and the others kept on this device.
    pub projects: Projects,
    pub phase: RwSignal<Phase>,
    pub has_classifier: RwSignal<bool>,
    pub backend: RwSignal<Option<Backend>>,
    /// (sample, actual, predicted) behind the report's confusion matrix, for a run of this
    /// page (a report from a file has none).
    pub evaluated: RwSignal<Vec<(SampleId, usize, usize)>>,
    /// Where transfer learning trains its head (the CPU on a software GPU).
    pub head_device: RwSignal<Option<Backend>>,
    /// The engine stopped (or never started): shown with a restart button.
    pub fatal: RwSignal<Option<String>>,
    /// A message from or to the engine that could not cross.
    pub engine_message: RwSignal<Option<String>>,
    /// A command the engine refused without another answer.
    pub rejected: RwSignal<Option<String>>,
    /// The GPU was lost and the engine went on on the CPU.
    pub device_notice: RwSignal<Option<String>>,
    pub weights: RwSignal<(u64, Option<u64>)>,
    pub classes: RwSignal<Vec<ClassModel>>,
    pub deleted: RwSignal<Option<DeletedClass>>,
    /// Views with features computed, views wanted.
    pub features: RwSignal<(usize, usize)>,
    /// How fast the features come.
    pub feature_throughput: RwSignal<Throughput>,
    /// What the activations of the chosen depth need, and what the engine keeps of them.
    pub memory: RwSignal<Option<MemoryPlan>>,
    /// The engine's WebAssembly memory, in bytes (it only grows).
    pub engine_memory: RwSignal<Option<u64>>,
    /// Background feature extraction failed (until the next progress).
    pub features_error: RwSignal<Option<String>>,
    pub settings: RwSignal<TrainSettings>,
    /// Settings fields whose text is refused, by test id, with why.
    pub setting_errors: RwSignal<Vec<(&'static str, String)>>,
    pub preparing: RwSignal<usize>,
    pub progress: RwSignal<Option<TrainingProgress>>,
    pub history: RwSignal<Vec<EpochMetrics>>,
    pub report: RwSignal<Option<TrainingReport>>,
    pub training_error: RwSignal<Option<String>>,
    /// Every training run of this visit that ended with a classifier.
    pub runs: RwSignal<Vec<RunRecord>>,
    /// Files on their way to the engine, a few at a time.
    pub importer: Importer,
}

impl AppState {
    pub fn new() -> Self {
        let writer = Writer::new();
        let state = Self {
            link: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            next_id: StoredValue::new(1),
            predictions: StoredValue::new_local(HashMap::new()),
            sources: StoredValue::new_local(HashMap::new()),
            answer_waiters: StoredValue::new_local(AnswerWaiters::default()),
            kept_history: StoredValue::new(Vec::new()),
            classifier_copy: StoredValue::new_local(ClassifierCopy::default()),
            project: StoredValue::new_local(ProjectMemory::default()),
            file_task: RwSignal::new(None),
            project_error: RwSignal::new(None),
            project_status: RwSignal::new(None),
            storage: RwSignal::new(StorageStatus::Restoring),
            autosave_stage: RwSignal::new(Stage::Restoring),
            autosave: StoredValue::new_local(AutosaveMemory::default()),
            writer,
            set_aside: SetAside::new(),
            projects: Projects::new(writer),
            phase: RwSignal::new(Phase::Loading),
            has_classifier: RwSignal::new(false),
            backend: RwSignal::new(None),
            evaluated: RwSignal::new(Vec::new()),
            head_device: RwSignal::new(None),
            fatal: RwSignal::new(None),
            engine_message: RwSignal::new(None),
            rejected: RwSignal::new(None),
            device_notice: RwSignal::new(None),
            weights: RwSignal::new((0, None)),
            classes: RwSignal::new(Vec::new()),
            deleted: RwSignal::new(None),
            features: RwSignal::new((0, 0)),
            feature_throughput: RwSignal::new(Throughput::default()),
            memory: RwSignal::new(None),
            engine_memory: RwSignal::new(None),
            features_error: RwSignal::new(None),
            settings: RwSignal::new(TrainSettings::default()),
            setting_errors: RwSignal::new(Vec::new()),
            preparing: RwSignal::new(0),
            progress: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            report: RwSignal::new(None),
            training_error: RwSignal::new(None),
            runs: RwSignal::new(Vec::new()),
            importer: Importer::new(),
        };
        for _ in 0..2 {
            state.add_class();
        }
        state
    }

    pub fn fresh_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    /// `count` consecutive fresh ids; the first one.
    pub(super) fn reserve_ids(&self, count: u64) -> u64 {
        let first = self.next_id.get_value();
        self.next_id.set_value(first + count);
        first
    }

    /// Fresh ids from now on are above `used`.
    pub(super) fn ids_past(&self, used: u64) {
        self.next_id
            .update_value(|next| *next = (*next).max(used + 1));
    }

    pub fn add_class(&self) {
        let number = self.classes.with_untracked(Vec::len) + 1;
        let class = ClassModel {
            id: self.fresh_id(),
            name: RwSignal::new(td_string!(locale(), classes.class_n, n = number)),
            enabled: RwSignal::new(true),
            samples: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
        };
        self.classes.update(|classes| classes.push(class));
    }

    /// Takes the class off the page; the engine forgets its images only once the deletion
    /// can no longer be undone.
    pub fn delete_class(&self, id: ClassId) {
        let Some(position) = self
            .classes
            .with_untracked(|classes| classes.iter().position(|c| c.id == id))
        else {
            return;
        };
        let class = self.classes.with_untracked(|classes| classes[position]);
        self.classes.update(|classes| {
            classes.remove(position);
        });
        if let Some(previous) = self.deleted.get_untracked() {
            self.forget_class(previous.class);
        }
        self.deleted.set(Some(DeletedClass { class, position }));
        let state = *self;
        set_timeout(
            move || {
                if state
                    .deleted
                    .get_untracked()
                    .is_some_and(|d| d.class.id == id)
                {
                    state.deleted.set(None);
                    state.forget_class(class);
                }
            },
            std::time::Duration::from_secs(15),
        );
    }

    pub fn undo_delete(&self) {
        if let Some(DeletedClass { class, position }) = self.deleted.get_untracked() {
            self.deleted.set(None);
            self.classes.update(|classes| {
                let position = position.min(classes.len());
                classes.insert(position, class);
            });
        }
    }

    pub(super) fn forget_class(&self, class: ClassModel) {
        self.send(&Command::RemoveClass { class: class.id }, None);
        class.samples.with_untracked(|samples| {
            for sample in samples {
                self.forget_source(sample);
            }
        });
    }

    /// The classes on the page, then the one that can still be restored.
    pub(super) fn all_classes(&self) -> Vec<ClassModel> {
        let mut classes = self.classes.get_untracked();
        classes.extend(self.deleted.get_untracked().map(|d| d.class));
        classes
    }

    pub(super) fn find_class(&self, id: ClassId) -> Option<ClassModel> {
        self.all_classes().into_iter().find(|c| c.id == id)
    }

    pub(super) fn find_sample(&self, id: SampleId) -> Option<SampleModel> {
        self.all_classes().iter().find_map(|class| {
            class
                .samples
                .with_untracked(|samples| samples.iter().find(|s| s.id == id).cloned())
        })
    }
}
