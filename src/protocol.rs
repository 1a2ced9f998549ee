//! What the page (main thread) and the engine (Web Worker) say to each other. Both binaries
//! compile this module; only plain data crosses, as JSON, with image bytes travelling beside
//! it as a transferred buffer (see [`wire`]).

use serde::{Deserialize, Serialize};

use crate::train::config::TrainingConfig;
use crate::train::metrics::ConfusionMatrix;
use crate::train::trainer::EpochMetrics;

#[cfg(target_arch = "wasm32")]
pub mod wire;

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

/// The settings the page edits; everything else keeps [`TrainingConfig`]'s defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Unfrozen pretrained blocks; 0 = transfer learning.
    pub freeze_depth: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub augment: bool,
    pub validation_share: f64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        let config = TrainingConfig::default();
        Self {
            freeze_depth: config.freeze_depth,
            epochs: config.epochs,
            batch_size: config.batch_size,
            learning_rate: config.learning_rate,
            augment: config.augment,
            validation_share: config.validation_share,
        }
    }
}

impl TrainSettings {
    pub fn to_config(&self) -> TrainingConfig {
        TrainingConfig::default()
            .with_freeze_depth(self.freeze_depth)
            .with_epochs(self.epochs)
            .with_batch_size(self.batch_size)
            .with_learning_rate(self.learning_rate)
            .with_augment(self.augment)
            .with_validation_share(self.validation_share)
    }
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
    pub per_class_accuracy: Vec<Option<f32>>,
    pub evaluated_on: EvaluatedOn,
    pub best_epoch: Option<usize>,
    pub epochs_run: usize,
    pub cancelled: bool,
    pub seconds: f64,
    pub notices: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingProgress {
    pub epoch: usize,
    pub epochs: usize,
    pub step: usize,
    pub steps_per_epoch: usize,
    pub steps_done: usize,
    pub total_steps: usize,
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
    pub probability: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub source: PredictionSource,
    /// Best first.
    pub scores: Vec<Scored>,
    pub milliseconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The device is chosen; the weights download starts.
    Backend(Backend),
    WeightsProgress {
        loaded: u64,
        total: Option<u64>,
    },
    /// Weights loaded and the shaders compiled: ready for everything.
    Ready,
    /// Start-up failed; nothing will work.
    Fatal(String),
    SampleAccepted {
        sample: SampleId,
    },
    SampleRejected {
        class: ClassId,
        sample: SampleId,
        message: String,
    },
    /// Background feature extraction: images (views) done out of those wanted.
    Features {
        ready: usize,
        wanted: usize,
    },
    /// Training accepted; `preparing` images still need their features first.
    TrainingStarted {
        preparing: usize,
    },
    TrainingProgress(TrainingProgress),
    Epoch(EpochMetrics),
    TrainingDone(TrainingReport),
    /// Training could not start or stopped on an error; the previous classifier stays.
    TrainingFailed(String),
    /// Cancelled before the first mini-batch: the previous classifier stays.
    TrainingCancelled,
    Prediction {
        request: u64,
        result: Result<Prediction, String>,
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
            result: Err("the file is empty".into()),
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
    }

    #[test]
    fn page_settings_become_a_training_config() {
        let settings = TrainSettings {
            freeze_depth: 2,
            epochs: 5,
            batch_size: 4,
            learning_rate: 0.01,
            augment: false,
            validation_share: 0.0,
        };
        let config = settings.to_config();
        assert_eq!(
            (config.freeze_depth, config.epochs, config.batch_size),
            (2, 5, 4)
        );
        assert_eq!(config.views(), 1);
        assert_eq!(TrainSettings::default().to_config().epochs, 40);
    }
}
