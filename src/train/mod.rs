//! Transfer learning and fine-tuning on top of the pretrained backbone.

pub mod augment;
pub mod cache;
pub mod config;
pub mod evaluate;
pub mod export;
pub mod metrics;
pub mod rng;
pub mod trainable;
pub mod trainer;

use crate::data::dataset::DatasetError;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error("invalid setting: {0}")]
    Config(String),
    #[error("the freeze depth must be between 0 and 16 blocks, not {0}")]
    FreezeDepth(usize),
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
    #[error("training diverged (the loss is not a number): lower the learning rate")]
    Diverged,
    #[error("the GPU failed: {0}")]
    Device(String),
}
