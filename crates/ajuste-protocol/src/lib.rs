//! What Ajuste's page (main thread) and its engine (a Web Worker) say to each other. Only
//! plain data crosses, as JSON, with image bytes travelling beside it as a transferred buffer
//! (see [`wire`]). This crate has no burn in it, so that the page that links it stays small.

use serde::{Deserialize, Serialize};

mod advice;
mod errors;
mod finite;
pub mod folder_layout;
pub mod limits;
mod memory;
mod metrics;
mod recipe;
pub mod records;
mod throughput;
mod validate;
pub mod widget;
#[cfg(target_arch = "wasm32")]
pub mod wire;

pub use advice::{FINE_TUNING_FROM_IMAGES, Suggestion};
pub use errors::{EngineError, ImageProblem, Invalid, Notice};
pub use memory::{KeptViews, MemoryPlan};
pub use metrics::{ConfusionMatrix, EpochMetrics};
pub use recipe::VALIDATION_FROM_IMAGES;
pub use throughput::Throughput;
pub use validate::{
    check_class_list, check_classes, check_freeze_depth, check_project_classes, class_name,
};

/// EfficientNet-Lite0's MBConv blocks: the most that fine-tuning can unfreeze. (The core
/// checks that its network agrees.)
pub const BACKBONE_BLOCKS: usize = 16;

/// Chosen by the page, unique for the page's lifetime.
pub type ClassId = u64;
/// Chosen by the page, unique across all classes for the page's lifetime.
pub type SampleId = u64;

/// How the bytes sent beside a command encode an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageEncoding {
    /// A file as the user gave it (JPEG, PNG, ...).
    File,
    /// Raw RGBA pixels of a video frame or canvas.
    Rgba { width: u32, height: u32 },
    /// An image as the engine keeps it ([`Event::StoredImage`]: a PNG at short side 256),
    /// back from the page's storage; taken as it is, not resized again, so that its features
    /// are those computed before.
    Stored,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    WebGpu,
    Cpu,
}

impl Backend {
    /// The text the page shows (and the browser tests read).
    pub fn label(self) -> &'static str {
        match self {
            Self::WebGpu => "WebGPU",
            Self::Cpu => "CPU",
        }
    }
}

/// The settings the page edits; everything else keeps the core's `TrainingConfig` defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Unfrozen pretrained blocks; 0 = transfer learning.
    pub freeze_depth: usize,
    pub epochs: usize,
    pub batch_size: usize,
    #[serde(with = "finite::f64")]
    pub learning_rate: f64,
    pub augment: bool,
    #[serde(with = "finite::f64")]
    pub validation_share: f64,
    /// Seeds the shuffles, the validation split, dropout and the head's first weights, so that
    /// a run replays (a widget may set it for a whole class). Files written before it existed
    /// read as the default.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

/// The seed a run takes unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

fn default_seed() -> u64 {
    DEFAULT_SEED
}

/// A class taking part in training, in the order of the classifier's outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainClass {
    pub id: ClassId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Image bytes travel beside the command.
    AddSample {
        class: ClassId,
        sample: SampleId,
        encoding: ImageEncoding,
    },
    RemoveSample {
        sample: SampleId,
    },
    RemoveClass {
        class: ClassId,
    },
    /// Which features to compute in the background as images arrive (they depend on the
    /// freeze depth and on whether augmented views are wanted).
    PrepareFeatures {
        freeze_depth: usize,
        augment: bool,
    },
    Train {
        classes: Vec<TrainClass>,
        settings: TrainSettings,
    },
    CancelTraining,
    /// Image bytes travel beside the command; answered by [`Event::Prediction`].
    Predict {
        request: u64,
        encoding: ImageEncoding,
    },
    /// Everything as one `.ajuste` project file (images, settings, the classifier and its
    /// report); answered by [`Event::File`] with [`FileKind::Project`].
    SaveProject {
        classes: Vec<ProjectClass>,
        settings: TrainSettings,
    },
    /// A `.ajuste` file travels beside the command. It replaces every image and the
    /// classifier; classes and images are numbered from `first_id` up. Answered by
    /// [`Event::ProjectOpened`] and a [`Event::Thumbnail`] per image.
    OpenProject {
        first_id: u64,
    },
    /// The trained classifier as a zip of `classifier.safetensors` + `manifest.json` (what
    /// `ajuste train --out` writes); answered by [`Event::File`] with [`FileKind::Model`].
    ExportModel,
    /// A model zip (or a `.ajuste` project with a classifier) travels beside the command; it
    /// becomes the classifier the preview uses. Answered by [`Event::ModelOpened`].
    OpenModel,
    /// The transfer-learning features computed so far of `samples` (those not computed yet
    /// are left out), for the page to store; answered by [`Event::Depth0Features`].
    Depth0Features {
        samples: Vec<SampleId>,
    },
    /// Features the page stored ([`Event::Depth0Features`]): one row of
    /// [`limits::FEATURE_LEN`] little-endian f32 per sample travels beside, in order. Taken
    /// when `weights` names this engine's network, before or after the samples themselves
    /// arrive; otherwise they are computed again (only time is lost). No answer.
    RestoreFeatures {
        samples: Vec<SampleId>,
        weights: String,
    },
}

/// A class as the page shows it, for a project file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectClass {
    pub id: ClassId,
    pub name: String,
    pub enabled: bool,
}

/// A class of an opened project, numbered by the engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenedClass {
    pub id: ClassId,
    pub name: String,
    pub enabled: bool,
    pub samples: Vec<SampleId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenedProject {
    pub classes: Vec<OpenedClass>,
    pub settings: TrainSettings,
    /// The report of the training that made the classifier, when the project has both.
    pub report: Option<TrainingReport>,
    /// The classes the classifier answers with, when the project has one.
    pub classifier_classes: Option<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    /// A `.ajuste` project.
    Project,
    /// A model zip.
    Model,
}

/// Which images the final accuracy and confusion matrix were measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvaluatedOn {
    Validation,
    /// There were too few images to hold any out.
    Training,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    pub classes: Vec<String>,
    pub confusion: ConfusionMatrix,
    #[serde(with = "finite::vec_option_f32")]
    pub per_class_accuracy: Vec<Option<f32>>,
    pub evaluated_on: EvaluatedOn,
    pub best_epoch: Option<usize>,
    pub epochs_run: usize,
    pub cancelled: bool,
    #[serde(with = "finite::f64")]
    pub seconds: f64,
    pub notices: Vec<Notice>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub step: usize,
    pub steps_per_epoch: usize,
    pub steps_done: usize,
    pub total_steps: usize,
    #[serde(with = "finite::option_f64")]
    pub eta_seconds: Option<f64>,
}

/// Which classifier answered a prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PredictionSource {
    /// The pretrained network's 1000 classes (top 5 only), before any training.
    ImageNet,
    Trained,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub label: String,
    #[serde(with = "finite::f32")]
    pub probability: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub source: PredictionSource,
    /// Best first.
    pub scores: Vec<Scored>,
    #[serde(with = "finite::f64")]
    pub milliseconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The device is chosen (again, after a lost GPU); the weights download starts.
    Backend(Backend),
    WeightsProgress {
        loaded: u64,
        total: Option<u64>,
    },
    /// Where transfer learning trains its head: WebGPU on a hardware adapter (steps stay
    /// queued on the GPU), the CPU on a software one or without WebGPU. Sent once the engine
    /// is up, and again when a lost GPU moves everything to the CPU.
    HeadDevice(Backend),
    /// Which images the run's report was measured on, and what the classifier said of each:
    /// (sample, actual class, predicted class) by position in the run's classes. Sent just
    /// before `TrainingDone`, so that a cell of the confusion matrix can show its images.
    Evaluated(Vec<(SampleId, usize, usize)>),
    /// Weights loaded and the shaders compiled: ready for everything.
    Ready,
    /// Start-up failed, or the engine stopped (a panic): nothing more will come from it; the
    /// page offers to restart it.
    Fatal(EngineError),
    SampleAccepted {
        sample: SampleId,
    },
    SampleRejected {
        class: ClassId,
        sample: SampleId,
        error: EngineError,
    },
    /// Background feature extraction: images (views) done out of those wanted.
    Features {
        ready: usize,
        wanted: usize,
    },
    /// What the activations of the current freeze depth take for the images there are, and
    /// what the engine keeps of them (sent when it changes).
    Memory(MemoryPlan),
    /// The engine's own memory in the browser: its WebAssembly memory, which only grows (so
    /// this is also the most it has held). Sent when it grows.
    EngineMemory {
        bytes: u64,
    },
    /// Background feature extraction failed; it is tried again after the next command.
    FeaturesFailed(EngineError),
    /// Training accepted; `preparing` images still need their features first.
    TrainingStarted {
        preparing: usize,
    },
    TrainingProgress(TrainingProgress),
    Epoch(EpochMetrics),
    TrainingDone(TrainingReport),
    /// Training could not start or stopped on an error; the previous classifier stays.
    TrainingFailed(EngineError),
    /// Cancelled before the first epoch ended: the previous classifier stays.
    TrainingCancelled,
    Prediction {
        request: u64,
        result: Result<Prediction, EngineError>,
    },
    /// A command that was refused (out of range, or unreadable) and had no other answer.
    CommandRejected(EngineError),
    /// The GPU is gone: the engine goes on on the CPU (a `Backend` event follows), computing
    /// the features again; `kept_classifier` says whether the trained classifier survived.
    DeviceLost {
        error: EngineError,
        kept_classifier: bool,
    },
    /// A file for the user to save; its bytes travel beside the event.
    File {
        kind: FileKind,
        name: String,
    },
    /// A project file replaced every image and the classifier.
    ProjectOpened(OpenedProject),
    /// A small RGBA picture of an image of an opened project (at most 128 pixels a side); the
    /// pixels travel beside the event.
    Thumbnail {
        sample: SampleId,
        width: u32,
        height: u32,
    },
    /// An opened model is now the classifier.
    ModelOpened {
        classes: Vec<String>,
    },
    /// The image the engine keeps for `sample`, for the page to store: a PNG at short side
    /// 256 travels beside (what [`ImageEncoding::Stored`] gives back). Sent after
    /// `SampleAccepted` for an image from a file or a frame, and for every image of an opened
    /// project after its `Thumbnail`.
    StoredImage {
        sample: SampleId,
    },
    /// Rows of transfer-learning features of `samples` ([`limits::FEATURE_LEN`] little-endian
    /// f32 each, in order, beside the event), and the fingerprint of the network that computed
    /// them.
    Depth0Features {
        samples: Vec<SampleId>,
        weights: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_json() {
        let command = Command::AddSample {
            class: 3,
            sample: 9,
            encoding: ImageEncoding::Rgba {
                width: 4,
                height: 2,
            },
        };
        let json = serde_json::to_string(&command).unwrap();
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), command);
        let event = Event::Prediction {
            request: 1,
            result: Err(ImageProblem::Empty.into()),
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    }

    #[test]
    fn a_value_json_cannot_carry_fails_where_it_is_written() {
        let settings = TrainSettings {
            learning_rate: f64::NAN,
            ..TrainSettings::default()
        };
        let error = serde_json::to_string(&settings).unwrap_err().to_string();
        assert!(error.contains("NaN"), "{error}");
        let prediction = Prediction {
            source: PredictionSource::Trained,
            scores: vec![Scored {
                label: "cat".into(),
                probability: f32::INFINITY,
            }],
            milliseconds: 1.0,
        };
        assert!(serde_json::to_string(&prediction).is_err());
        let report = TrainingProgress {
            epoch: 1,
            epochs: 1,
            step: 1,
            steps_per_epoch: 1,
            steps_done: 1,
            total_steps: 1,
            eta_seconds: Some(f64::NAN),
        };
        assert!(serde_json::to_string(&report).is_err());
        // Finite values still round-trip.
        let json = serde_json::to_string(&TrainSettings::default()).unwrap();
        assert_eq!(
            serde_json::from_str::<TrainSettings>(&json).unwrap(),
            TrainSettings::default()
        );
    }
}
