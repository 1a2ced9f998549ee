//! What can go wrong, as data: the engine sends these, and the page matches on them to say
//! one sentence in the user's language. `Display` gives the English sentence (the CLI's and
//! the logs' wording).

use serde::{Deserialize, Serialize};

use crate::limits::*;

/// A command that the engine refused before doing anything with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    #[error("the freeze depth must be between 0 and {MAX_FREEZE_DEPTH} blocks, not {0}")]
    FreezeDepth(usize),
    #[error("the number of epochs must be between 1 and {MAX_EPOCHS}, not {0}")]
    Epochs(usize),
    #[error("the batch size must be between 1 and {MAX_BATCH_SIZE}, not {0}")]
    BatchSize(usize),
    #[error("the learning rate must be a number above 0 and at most {MAX_LEARNING_RATE}")]
    LearningRate,
    #[error("the validation share must be a number between 0 and {MAX_VALIDATION_SHARE}")]
    ValidationShare,
    #[error("add at least {MIN_CLASSES} classes to train a classifier")]
    TooFewClasses,
    #[error("at most {MAX_CLASSES} classes can train together, not {0}")]
    TooManyClasses(usize),
    #[error("every class needs a name")]
    EmptyClassName,
    #[error("class names have at most {MAX_CLASS_NAME_CHARS} characters: \"{0}\" is longer")]
    LongClassName(String),
    #[error("two classes are called \"{0}\": rename one")]
    DuplicateClassName(String),
    #[error("the same class is listed twice")]
    DuplicateClass,
    #[error("there is already an image numbered {0}")]
    DuplicateSample(u64),
    #[error("no image came with the message")]
    MissingImage,
    #[error("no file came with the message")]
    MissingFile,
    #[error("the file is {0} bytes; the limit is {MAX_FILE_BYTES}")]
    FileTooLarge(usize),
    #[error("a {width}×{height} frame is outside 1…{MAX_IMAGE_SIDE} pixels a side")]
    FrameSize { width: u32, height: u32 },
    #[error("features of at most {MAX_FEATURE_SAMPLES} images at a time, not {0}")]
    TooManyFeatureSamples(usize),
    #[error("{expected} bytes of features were expected, not {got}")]
    FeatureBytes { expected: usize, got: usize },
    #[error("a weights fingerprint has at most {MAX_FINGERPRINT_CHARS} characters")]
    Fingerprint,
}

/// Why an image was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ImageProblem {
    #[error("the file is empty")]
    Empty,
    #[error("not an image this app can read (JPEG, PNG, WebP, GIF or BMP)")]
    UnknownFormat,
    #[error("the image is damaged or incomplete: {0}")]
    Corrupt(String),
    #[error("the image is too large ({width}×{height}); the limit is {max_side} pixels a side")]
    TooLarge {
        width: u32,
        height: u32,
        max_side: u32,
    },
    #[error(
        "the image has too many pixels ({width}×{height}); the limit is {} megapixels",
        MAX_IMAGE_PIXELS / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image has no pixels")]
    NoPixels,
    #[error("a {width}×{height} RGBA frame needs {expected} bytes, got {actual}")]
    BadBuffer {
        width: u32,
        height: u32,
        expected: usize,
        actual: usize,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A message that did not decode (a bug, or a page and a worker of different versions).
    #[error("a message could not be read: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Image(#[from] ImageProblem),
    #[error("class \"{0}\" has no images")]
    EmptyClass(String),
    #[error("training is already running")]
    TrainingRunning,
    #[error("training diverged (the loss is not a number): lower the learning rate")]
    Diverged,
    #[error("cannot download the model weights: {0}")]
    WeightsDownload(String),
    #[error("the model weights do not load: {0}")]
    Weights(String),
    #[error("the GPU failed: {0}")]
    Device(String),
    #[error("the GPU was lost ({0}); the engine continues on the CPU")]
    DeviceLost(String),
    #[error("the engine stopped on an error: {0}")]
    Crashed(String),
    #[error("this project file cannot be opened: {0}")]
    ProjectFile(String),
    #[error("this model file cannot be opened: {0}")]
    ModelFile(String),
    #[error("train a classifier first")]
    NoClassifier,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Worth telling the user about a training run, though it went through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Notice {
    #[error("class \"{0}\" has too few images to hold some out for validation")]
    NoValidationImages(String),
    #[error("augmentation used the {ready} of {wanted} augmented views computed so far")]
    PartialAugmentation { ready: usize, wanted: usize },
    #[error("cancelled before the first epoch ended: the previous classifier stays")]
    CancelledEarly,
    #[error(
        "memory: augmentation drew from {kept} of the {wanted} views of each image (all of \
         them would not fit)"
    )]
    FewerViews { kept: usize, wanted: usize },
    #[error(
        "memory: the activations would take {needed} MB, more than the {budget} MB allowed, \
         so the frozen part ran again at every step (slower)",
        needed = .needed_bytes.div_ceil(1 << 20),
        budget = .budget_bytes >> 20
    )]
    ActivationsRecomputed {
        needed_bytes: u64,
        budget_bytes: u64,
    },
}
