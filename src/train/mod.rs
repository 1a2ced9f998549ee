//! Transfer learning and fine-tuning on top of the pretrained backbone.

pub mod augment;
pub mod cache;
pub mod config;
pub mod devices;
pub mod evaluate;
pub mod export;
pub mod fit;
pub mod host_copy;
pub mod metrics;
pub mod trainable;
pub mod trainer;

use ajuste_protocol::{EngineError, Invalid};

use crate::data::dataset::DatasetError;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A setting the page edits, out of its range (see `protocol::limits`).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A setting only the core has (dropout, label smoothing, ...), out of range.
    #[error("invalid setting: {0}")]
    Config(String),
    #[error("the features were computed for freeze depth {cache}, not {wanted}")]
    CacheDepth { cache: usize, wanted: usize },
    #[error("image {0} has no computed features yet")]
    NotCached(u64),
    #[error("image {0} is not in the dataset")]
    UnknownSample(u64),
    #[error("activations of shape {actual:?} where {expected:?} was expected")]
    ShapeMismatch {
        expected: [usize; 2],
        actual: [usize; 2],
    },
    #[error("an epoch without a training step")]
    EmptyEpoch,
    #[error("training diverged (the loss is not a number): lower the learning rate")]
    Diverged,
    #[error("the GPU failed: {0}")]
    Device(String),
}

impl From<TrainError> for EngineError {
    fn from(error: TrainError) -> Self {
        match error {
            TrainError::Dataset(DatasetError::TooFewClasses) => Invalid::TooFewClasses.into(),
            TrainError::Dataset(DatasetError::EmptyClass(name)) => Self::EmptyClass(name),
            TrainError::Invalid(invalid) => invalid.into(),
            TrainError::Diverged => Self::Diverged,
            TrainError::Device(message) => Self::Device(message),
            other => Self::Internal(other.to_string()),
        }
    }
}
