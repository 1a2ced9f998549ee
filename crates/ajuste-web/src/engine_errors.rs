//! The engine's errors and notes as sentences of the current language: each variant picks its
//! sentence in `locales/*.json` and fills it in (a new variant does not compile until it has
//! one). The protocol's own English wording (`Display`) is for the command-line tool.

use ajuste_protocol::limits::*;
use ajuste_protocol::{EngineError, ImageProblem, Invalid, Notice};

use super::i18n::td_string;
use super::language::locale;

/// An error the engine sent (a refused image, a failed training run, a crash, ...).
pub fn engine_error(error: &EngineError) -> String {
    let locale = locale();
    match error {
        EngineError::Invalid(problem) => invalid(problem),
        EngineError::Image(problem) => image(problem),
        EngineError::Unreadable(detail) => td_string!(locale, error.unreadable, detail).to_string(),
        EngineError::EmptyClass(name) => td_string!(locale, error.empty_class, name).to_string(),
        EngineError::TrainingRunning => td_string!(locale, error.training_running).to_string(),
        EngineError::Diverged => td_string!(locale, error.diverged).to_string(),
        EngineError::WeightsDownload(detail) => {
            td_string!(locale, error.weights_download, detail).to_string()
        }
        EngineError::Weights(detail) => td_string!(locale, error.weights, detail).to_string(),
        EngineError::Device(detail) => td_string!(locale, error.device, detail).to_string(),
        EngineError::DeviceLost(detail) => {
            td_string!(locale, error.device_lost, detail).to_string()
        }
        EngineError::Crashed(detail) => td_string!(locale, error.crashed, detail).to_string(),
        EngineError::ProjectFile(detail) => {
            td_string!(locale, error.project_file, detail).to_string()
        }
        EngineError::ModelFile(detail) => td_string!(locale, error.model_file, detail).to_string(),
        EngineError::NoClassifier => td_string!(locale, error.no_classifier).to_string(),
        EngineError::Internal(detail) => td_string!(locale, error.internal, detail).to_string(),
    }
}

/// A value refused, by the page before sending it or by the engine (the same check).
pub fn invalid(invalid: &Invalid) -> String {
    let locale = locale();
    match invalid {
        Invalid::FreezeDepth(value) => {
            td_string!(locale, invalid.freeze_depth, max = MAX_FREEZE_DEPTH, value).to_string()
        }
        Invalid::Epochs(value) => {
            td_string!(locale, invalid.epochs, max = MAX_EPOCHS, value).to_string()
        }
        Invalid::BatchSize(value) => {
            td_string!(locale, invalid.batch_size, max = MAX_BATCH_SIZE, value).to_string()
        }
        Invalid::LearningRate => {
            td_string!(locale, invalid.learning_rate, max = MAX_LEARNING_RATE).to_string()
        }
        Invalid::ValidationShare => {
            td_string!(locale, invalid.validation_share, max = MAX_VALIDATION_SHARE).to_string()
        }
        Invalid::TooFewClasses => {
            td_string!(locale, invalid.too_few_classes, min = MIN_CLASSES).to_string()
        }
        Invalid::TooManyClasses(value) => {
            td_string!(locale, invalid.too_many_classes, max = MAX_CLASSES, value).to_string()
        }
        Invalid::EmptyClassName => td_string!(locale, invalid.empty_class_name).to_string(),
        Invalid::LongClassName(name) => td_string!(
            locale,
            invalid.long_class_name,
            max = MAX_CLASS_NAME_CHARS,
            name
        )
        .to_string(),
        Invalid::DuplicateClassName(name) => {
            td_string!(locale, invalid.duplicate_class_name, name).to_string()
        }
        Invalid::DuplicateClass => td_string!(locale, invalid.duplicate_class).to_string(),
        Invalid::DuplicateSample(value) => {
            td_string!(locale, invalid.duplicate_sample, value).to_string()
        }
        Invalid::MissingImage => td_string!(locale, invalid.missing_image).to_string(),
        Invalid::MissingFile => td_string!(locale, invalid.missing_file).to_string(),
        Invalid::TooManyFeatureSamples(_) | Invalid::FeatureBytes { .. } | Invalid::Fingerprint => {
            td_string!(locale, invalid.stored_features).to_string()
        }
        Invalid::FileTooLarge(value) => {
            td_string!(locale, invalid.file_too_large, max = MAX_FILE_BYTES, value).to_string()
        }
        Invalid::FrameSize { width, height } => td_string!(
            locale,
            invalid.frame_size,
            max = MAX_IMAGE_SIDE,
            width,
            height
        )
        .to_string(),
    }
}

fn image(problem: &ImageProblem) -> String {
    let locale = locale();
    match problem {
        ImageProblem::Empty => td_string!(locale, image.empty).to_string(),
        ImageProblem::UnknownFormat => td_string!(locale, image.unknown_format).to_string(),
        ImageProblem::Corrupt(detail) => td_string!(locale, image.corrupt, detail).to_string(),
        ImageProblem::TooLarge {
            width,
            height,
            max_side,
        } => td_string!(locale, image.too_large, max = max_side, width, height).to_string(),
        ImageProblem::TooManyPixels { width, height } => td_string!(
            locale,
            image.too_many_pixels,
            max = MAX_IMAGE_PIXELS / 1_000_000,
            width,
            height
        )
        .to_string(),
        ImageProblem::NoPixels => td_string!(locale, image.no_pixels).to_string(),
        ImageProblem::BadBuffer {
            width,
            height,
            expected,
            actual,
        } => td_string!(locale, image.bad_buffer, width, height, expected, actual).to_string(),
    }
}

/// Something worth knowing about a training run that went through ("Note: …").
pub fn notice(notice: &Notice) -> String {
    let locale = locale();
    let text = match notice {
        Notice::NoValidationImages(name) => {
            td_string!(locale, notice.no_validation_images, name).to_string()
        }
        Notice::PartialAugmentation { ready, wanted } => {
            td_string!(locale, notice.partial_augmentation, ready, wanted).to_string()
        }
        Notice::CancelledEarly => td_string!(locale, notice.cancelled_early).to_string(),
        Notice::FewerViews { kept, wanted } => {
            td_string!(locale, notice.fewer_views, kept, wanted).to_string()
        }
        Notice::ActivationsRecomputed {
            needed_bytes,
            budget_bytes,
        } => td_string!(
            locale,
            notice.activations_recomputed,
            needed = needed_bytes.div_ceil(1 << 20),
            budget = budget_bytes >> 20
        )
        .to_string(),
    };
    td_string!(locale, engine.notice, notice = text).to_string()
}
