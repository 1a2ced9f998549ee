//! The engine's errors and notes as sentences of the current language: each variant picks its
//! sentence in `locales/*.json` and fills it in (a new variant does not compile until it has
//! one). The protocol's own English wording (`Display`) is for the command-line tool.

use ajuste_protocol::limits::*;
use ajuste_protocol::{EngineError, ImageProblem, Invalid, Notice};

use super::i18n::t_string;
use super::language::i18n;

pub fn engine_error(error: &EngineError) -> String {
    let i18n = i18n();
    match error {
        EngineError::Invalid(problem) => invalid(problem),
        EngineError::Image(problem) => image(problem),
        EngineError::Unreadable(detail) => t_string!(i18n, error.unreadable, detail).to_string(),
        EngineError::EmptyClass(name) => t_string!(i18n, error.empty_class, name).to_string(),
        EngineError::TrainingRunning => t_string!(i18n, error.training_running).to_string(),
        EngineError::Diverged => t_string!(i18n, error.diverged).to_string(),
        EngineError::WeightsDownload(detail) => {
            t_string!(i18n, error.weights_download, detail).to_string()
        }
        EngineError::Weights(detail) => t_string!(i18n, error.weights, detail).to_string(),
        EngineError::Device(detail) => t_string!(i18n, error.device, detail).to_string(),
        EngineError::DeviceLost(detail) => t_string!(i18n, error.device_lost, detail).to_string(),
        EngineError::Crashed(detail) => t_string!(i18n, error.crashed, detail).to_string(),
        EngineError::ProjectFile(detail) => t_string!(i18n, error.project_file, detail).to_string(),
        EngineError::ModelFile(detail) => t_string!(i18n, error.model_file, detail).to_string(),
        EngineError::NoClassifier => t_string!(i18n, error.no_classifier).to_string(),
        EngineError::Internal(detail) => t_string!(i18n, error.internal, detail).to_string(),
    }
}

pub fn invalid(invalid: &Invalid) -> String {
    let i18n = i18n();
    match invalid {
        Invalid::FreezeDepth(value) => {
            t_string!(i18n, invalid.freeze_depth, max = MAX_FREEZE_DEPTH, value).to_string()
        }
        Invalid::Epochs(value) => {
            t_string!(i18n, invalid.epochs, max = MAX_EPOCHS, value).to_string()
        }
        Invalid::BatchSize(value) => {
            t_string!(i18n, invalid.batch_size, max = MAX_BATCH_SIZE, value).to_string()
        }
        Invalid::LearningRate => {
            t_string!(i18n, invalid.learning_rate, max = MAX_LEARNING_RATE).to_string()
        }
        Invalid::ValidationShare => {
            t_string!(i18n, invalid.validation_share, max = MAX_VALIDATION_SHARE).to_string()
        }
        Invalid::TooFewClasses => {
            t_string!(i18n, invalid.too_few_classes, min = MIN_CLASSES).to_string()
        }
        Invalid::TooManyClasses(value) => {
            t_string!(i18n, invalid.too_many_classes, max = MAX_CLASSES, value).to_string()
        }
        Invalid::EmptyClassName => t_string!(i18n, invalid.empty_class_name).to_string(),
        Invalid::LongClassName(name) => t_string!(
            i18n,
            invalid.long_class_name,
            max = MAX_CLASS_NAME_CHARS,
            name
        )
        .to_string(),
        Invalid::DuplicateClassName(name) => {
            t_string!(i18n, invalid.duplicate_class_name, name).to_string()
        }
        Invalid::DuplicateClass => t_string!(i18n, invalid.duplicate_class).to_string(),
        Invalid::DuplicateSample(value) => {
            t_string!(i18n, invalid.duplicate_sample, value).to_string()
        }
        Invalid::MissingImage => t_string!(i18n, invalid.missing_image).to_string(),
        Invalid::MissingFile => t_string!(i18n, invalid.missing_file).to_string(),
        Invalid::FileTooLarge(value) => {
            t_string!(i18n, invalid.file_too_large, max = MAX_FILE_BYTES, value).to_string()
        }
        Invalid::FrameSize { width, height } => t_string!(
            i18n,
            invalid.frame_size,
            max = MAX_IMAGE_SIDE,
            width,
            height
        )
        .to_string(),
    }
}

fn image(problem: &ImageProblem) -> String {
    let i18n = i18n();
    match problem {
        ImageProblem::Empty => t_string!(i18n, image.empty).to_string(),
        ImageProblem::UnknownFormat => t_string!(i18n, image.unknown_format).to_string(),
        ImageProblem::Corrupt(detail) => t_string!(i18n, image.corrupt, detail).to_string(),
        ImageProblem::TooLarge {
            width,
            height,
            max_side,
        } => t_string!(i18n, image.too_large, max = max_side, width, height).to_string(),
        ImageProblem::TooManyPixels { width, height } => t_string!(
            i18n,
            image.too_many_pixels,
            max = MAX_IMAGE_PIXELS / 1_000_000,
            width,
            height
        )
        .to_string(),
        ImageProblem::NoPixels => t_string!(i18n, image.no_pixels).to_string(),
        ImageProblem::BadBuffer {
            width,
            height,
            expected,
            actual,
        } => t_string!(i18n, image.bad_buffer, width, height, expected, actual).to_string(),
    }
}

/// "Note: …." around the note itself.
pub fn notice(notice: &Notice) -> String {
    let i18n = i18n();
    let text = match notice {
        Notice::NoValidationImages(name) => {
            t_string!(i18n, notice.no_validation_images, name).to_string()
        }
        Notice::PartialAugmentation { ready, wanted } => {
            t_string!(i18n, notice.partial_augmentation, ready, wanted).to_string()
        }
        Notice::CancelledEarly => t_string!(i18n, notice.cancelled_early).to_string(),
        Notice::FewerViews { kept, wanted } => {
            t_string!(i18n, notice.fewer_views, kept, wanted).to_string()
        }
        Notice::ActivationsRecomputed {
            needed_bytes,
            budget_bytes,
        } => t_string!(
            i18n,
            notice.activations_recomputed,
            needed = needed_bytes.div_ceil(1 << 20),
            budget = budget_bytes >> 20
        )
        .to_string(),
    };
    t_string!(i18n, engine.notice, notice = text).to_string()
}
