//! The page's state, as signals shared through context, and how engine events change it.

use std::collections::HashMap;

use ajuste_protocol::EpochMetrics;
use ajuste_protocol::{
    Backend, ClassId, Command, Event, ImageEncoding, Prediction, SampleId, TrainClass,
    TrainSettings, TrainingProgress, TrainingReport,
};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::link::EngineLink;

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
    /// An object URL or data URL.
    pub thumbnail: String,
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

type PredictionCallback = Box<dyn FnOnce(Result<Prediction, String>)>;

#[derive(Clone, Copy)]
pub struct AppState {
    link: StoredValue<Option<EngineLink>, LocalStorage>,
    next_id: StoredValue<u64>,
    predictions: StoredValue<HashMap<u64, PredictionCallback>, LocalStorage>,
    pub phase: RwSignal<Phase>,
    pub has_classifier: RwSignal<bool>,
    pub backend: RwSignal<Option<Backend>>,
    pub fatal: RwSignal<Option<String>>,
    pub weights: RwSignal<(u64, Option<u64>)>,
    pub classes: RwSignal<Vec<ClassModel>>,
    pub deleted: RwSignal<Option<DeletedClass>>,
    /// Views with features computed, views wanted.
    pub features: RwSignal<(usize, usize)>,
    pub settings: RwSignal<TrainSettings>,
    pub preparing: RwSignal<usize>,
    pub progress: RwSignal<Option<TrainingProgress>>,
    pub history: RwSignal<Vec<EpochMetrics>>,
    pub report: RwSignal<Option<TrainingReport>>,
    pub training_error: RwSignal<Option<String>>,
}

impl AppState {
    pub fn new() -> Self {
        let state = Self {
            link: StoredValue::new_local(None),
            next_id: StoredValue::new(1),
            predictions: StoredValue::new_local(HashMap::new()),
            phase: RwSignal::new(Phase::Loading),
            has_classifier: RwSignal::new(false),
            backend: RwSignal::new(None),
            fatal: RwSignal::new(None),
            weights: RwSignal::new((0, None)),
            classes: RwSignal::new(Vec::new()),
            deleted: RwSignal::new(None),
            features: RwSignal::new((0, 0)),
            settings: RwSignal::new(TrainSettings::default()),
            preparing: RwSignal::new(0),
            progress: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            report: RwSignal::new(None),
            training_error: RwSignal::new(None),
        };
        for _ in 0..2 {
            state.add_class();
        }
        state
    }

    pub fn connect(self) {
        match EngineLink::start(move |event| self.apply(event)) {
            Ok(link) => self.link.set_value(Some(link)),
            Err(message) => self.fail(message),
        }
    }

    pub fn send(&self, command: &Command, bytes: Option<&JsValue>) {
        self.link.with_value(|link| {
            if let Some(link) = link {
                link.send(command, bytes);
            }
        });
    }

    pub fn fresh_id(&self) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        id
    }

    pub fn add_class(&self) {
        let number = self.classes.with_untracked(Vec::len) + 1;
        let class = ClassModel {
            id: self.fresh_id(),
            name: RwSignal::new(format!("Class {number}")),
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

    fn forget_class(&self, class: ClassModel) {
        self.send(&Command::RemoveClass { class: class.id }, None);
        class.samples.with_untracked(|samples| {
            for sample in samples {
                super::files::release_thumbnail(&sample.thumbnail);
            }
        });
    }

    /// Shows the image at once and sends it to the engine, which decodes and checks it.
    pub fn add_sample(
        &self,
        class: ClassModel,
        name: String,
        thumbnail: String,
        bytes: &JsValue,
        encoding: ImageEncoding,
    ) {
        let sample = self.fresh_id();
        class.samples.update(|samples| {
            samples.push(SampleModel {
                id: sample,
                name,
                thumbnail,
                accepted: RwSignal::new(false),
            })
        });
        let command = Command::AddSample {
            class: class.id,
            sample,
            encoding,
        };
        self.send(&command, Some(bytes));
    }

    pub fn remove_sample(&self, class: ClassModel, sample: SampleId) {
        class.samples.update(|samples| {
            if let Some(index) = samples.iter().position(|s| s.id == sample) {
                super::files::release_thumbnail(&samples.remove(index).thumbnail);
            }
        });
        self.send(&Command::RemoveSample { sample }, None);
    }

    /// The classes that take part in training, or why training cannot start.
    pub fn training_classes(&self) -> Result<Vec<TrainClass>, String> {
        let classes = self.classes.get_untracked();
        let mut chosen = Vec::new();
        for class in classes.iter().filter(|c| c.enabled.get_untracked()) {
            let name = class.name.get_untracked().trim().to_string();
            if name.is_empty() {
                return Err("every class needs a name".into());
            }
            if chosen.iter().any(|c: &TrainClass| c.name == name) {
                return Err(format!("two classes are called \"{name}\": rename one"));
            }
            chosen.push(TrainClass { id: class.id, name });
        }
        Ok(chosen)
    }

    pub fn train(&self) {
        self.training_error.set(None);
        let classes = match self.training_classes() {
            Ok(classes) => classes,
            Err(message) => return self.training_error.set(Some(message)),
        };
        self.history.set(Vec::new());
        self.progress.set(None);
        self.phase.set(Phase::Training);
        let settings = self.settings.get_untracked();
        self.send(&Command::Train { classes, settings }, None);
    }

    pub fn cancel_training(&self) {
        self.send(&Command::CancelTraining, None);
    }

    pub fn predict(
        &self,
        bytes: &JsValue,
        encoding: ImageEncoding,
        callback: impl FnOnce(Result<Prediction, String>) + 'static,
    ) {
        let request = self.fresh_id();
        self.predictions.update_value(|pending| {
            pending.insert(request, Box::new(callback));
        });
        self.send(&Command::Predict { request, encoding }, Some(bytes));
    }

    fn fail(&self, message: String) {
        self.fatal.set(Some(message));
        self.phase.set(Phase::Error);
    }

    /// Where the page goes when a training run ends without a new classifier.
    fn settle(&self) {
        self.phase.set(if self.has_classifier.get_untracked() {
            Phase::Done
        } else {
            Phase::Ready
        });
    }

    fn find_class(&self, id: ClassId) -> Option<ClassModel> {
        let find = |classes: &Vec<ClassModel>| classes.iter().find(|c| c.id == id).copied();
        self.classes
            .with_untracked(find)
            .or_else(|| self.deleted.get_untracked().map(|d| d.class))
            .filter(|c| c.id == id)
    }

    fn find_sample(&self, id: SampleId) -> Option<SampleModel> {
        let mut classes = self.classes.get_untracked();
        classes.extend(self.deleted.get_untracked().map(|d| d.class));
        classes.iter().find_map(|class| {
            class
                .samples
                .with_untracked(|samples| samples.iter().find(|s| s.id == id).cloned())
        })
    }

    pub fn apply(self, event: Event) {
        match event {
            Event::Backend(backend) => self.backend.set(Some(backend)),
            Event::WeightsProgress { loaded, total } => self.weights.set((loaded, total)),
            Event::Ready => self.phase.set(Phase::Ready),
            Event::Fatal(message) => self.fail(message),
            Event::SampleAccepted { sample } => match self.find_sample(sample) {
                Some(model) => model.accepted.set(true),
                // Deleted while the engine was decoding it.
                None => self.send(&Command::RemoveSample { sample }, None),
            },
            Event::SampleRejected {
                class,
                sample,
                message,
            } => {
                if let Some(class) = self.find_class(class) {
                    let name = self.find_sample(sample).map(|s| s.name).unwrap_or_default();
                    class
                        .samples
                        .update(|samples| samples.retain(|s| s.id != sample));
                    class.error.set(Some(format!("{name}: {message}")));
                }
            }
            Event::Features { ready, wanted } => self.features.set((ready, wanted)),
            Event::TrainingStarted { preparing } => self.preparing.set(preparing),
            Event::TrainingProgress(progress) => self.progress.set(Some(progress)),
            Event::Epoch(metrics) => self.history.update(|history| history.push(metrics)),
            Event::TrainingDone(report) => {
                self.report.set(Some(report));
                self.has_classifier.set(true);
                self.phase.set(Phase::Done);
            }
            Event::TrainingFailed(message) => {
                self.training_error.set(Some(message));
                self.settle();
            }
            Event::TrainingCancelled => self.settle(),
            Event::Prediction { request, result } => {
                let callback = self
                    .predictions
                    .try_update_value(|pending| pending.remove(&request))
                    .flatten();
                if let Some(callback) = callback {
                    callback(result);
                }
            }
        }
    }
}
