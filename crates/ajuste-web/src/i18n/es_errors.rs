//! The engine's errors in Spanish, one sentence per variant (a new variant does not compile
//! until it has one).

use ajuste_protocol::limits::*;
use ajuste_protocol::{EngineError, ImageProblem, Invalid, Notice};

pub fn invalid(invalid: &Invalid) -> String {
    match invalid {
        Invalid::FreezeDepth(d) => {
            format!("La profundidad de congelación va de 0 a {MAX_FREEZE_DEPTH} bloques, no {d}")
        }
        Invalid::Epochs(e) => format!("El número de épocas va de 1 a {MAX_EPOCHS}, no {e}"),
        Invalid::BatchSize(b) => format!("El tamaño del lote va de 1 a {MAX_BATCH_SIZE}, no {b}"),
        Invalid::LearningRate => format!(
            "La tasa de aprendizaje es un número mayor que 0 y como mucho {MAX_LEARNING_RATE}"
        ),
        Invalid::ValidationShare => {
            format!("La proporción de validación es un número entre 0 y {MAX_VALIDATION_SHARE}")
        }
        Invalid::TooFewClasses => {
            format!("Añade al menos {MIN_CLASSES} clases para entrenar un clasificador")
        }
        Invalid::TooManyClasses(n) => {
            format!("Como mucho pueden entrenar juntas {MAX_CLASSES} clases, no {n}")
        }
        Invalid::EmptyClassName => "Cada clase necesita un nombre".into(),
        Invalid::LongClassName(name) => format!(
            "Los nombres de clase tienen como mucho {MAX_CLASS_NAME_CHARS} caracteres: «{name}» es más largo"
        ),
        Invalid::DuplicateClassName(name) => {
            format!("Dos clases se llaman «{name}»: cambia el nombre de una")
        }
        Invalid::DuplicateClass => "La misma clase aparece dos veces".into(),
        Invalid::DuplicateSample(n) => format!("Ya hay una imagen con el número {n}"),
        Invalid::MissingImage => "El mensaje llegó sin imagen".into(),
        Invalid::MissingFile => "El mensaje llegó sin archivo".into(),
        Invalid::FileTooLarge(n) => {
            format!("El archivo tiene {n} bytes; el límite es {MAX_FILE_BYTES}")
        }
        Invalid::FrameSize { width, height } => format!(
            "Un fotograma de {width}×{height} está fuera de 1…{MAX_IMAGE_SIDE} píxeles por lado"
        ),
    }
}

fn image(problem: &ImageProblem) -> String {
    match problem {
        ImageProblem::Empty => "El archivo está vacío".into(),
        ImageProblem::UnknownFormat => {
            "No es una imagen que esta aplicación sepa leer (JPEG, PNG, WebP, GIF o BMP)".into()
        }
        ImageProblem::Corrupt(detail) => format!("La imagen está dañada o incompleta: {detail}"),
        ImageProblem::TooLarge {
            width,
            height,
            max_side,
        } => format!(
            "La imagen es demasiado grande ({width}×{height}); el límite es {max_side} píxeles por lado"
        ),
        ImageProblem::TooManyPixels { width, height } => format!(
            "La imagen tiene demasiados píxeles ({width}×{height}); el límite es {} megapíxeles",
            MAX_IMAGE_PIXELS / 1_000_000
        ),
        ImageProblem::NoPixels => "La imagen no tiene píxeles".into(),
        ImageProblem::BadBuffer {
            width,
            height,
            expected,
            actual,
        } => format!(
            "Un fotograma RGBA de {width}×{height} necesita {expected} bytes, y llegaron {actual}"
        ),
    }
}

pub fn engine_error(error: &EngineError) -> String {
    match error {
        EngineError::Invalid(problem) => invalid(problem),
        EngineError::Unreadable(detail) => format!("No se ha podido leer un mensaje: {detail}"),
        EngineError::Image(problem) => image(problem),
        EngineError::EmptyClass(name) => format!("La clase «{name}» no tiene imágenes"),
        EngineError::TrainingRunning => "Ya se está entrenando".into(),
        EngineError::Diverged => {
            "El entrenamiento divergió (la pérdida no es un número): baja la tasa de aprendizaje"
                .into()
        }
        EngineError::WeightsDownload(detail) => {
            format!("No se pueden descargar los pesos del modelo: {detail}")
        }
        EngineError::Weights(detail) => format!("Los pesos del modelo no cargan: {detail}"),
        EngineError::Device(detail) => format!("La GPU ha fallado: {detail}"),
        EngineError::DeviceLost(detail) => {
            format!("Se perdió la GPU ({detail}); el motor sigue en la CPU")
        }
        EngineError::Crashed(detail) => format!("El motor se detuvo por un error: {detail}"),
        EngineError::ProjectFile(detail) => {
            format!("Este archivo de proyecto no se puede abrir: {detail}")
        }
        EngineError::ModelFile(detail) => {
            format!("Este archivo de modelo no se puede abrir: {detail}")
        }
        EngineError::NoClassifier => "Entrena antes un clasificador".into(),
        EngineError::Internal(detail) => format!("Error interno: {detail}"),
    }
}

pub fn notice(notice: &Notice) -> String {
    let text = match notice {
        Notice::NoValidationImages(name) => format!(
            "la clase «{name}» tiene demasiado pocas imágenes para apartar algunas para validación"
        ),
        Notice::PartialAugmentation { ready, wanted } => format!(
            "el aumento de datos usó las {ready} de {wanted} vistas aumentadas calculadas hasta ahora"
        ),
        Notice::CancelledEarly => {
            "cancelado antes de terminar la primera época: se queda el clasificador anterior".into()
        }
        Notice::FewerViews { kept, wanted } => format!(
            "memoria: el aumento de datos usó {kept} de las {wanted} vistas de cada imagen (todas no cabían)"
        ),
        Notice::ActivationsRecomputed {
            needed_bytes,
            budget_bytes,
        } => format!(
            "memoria: las activaciones ocuparían {} MB, más de los {} MB permitidos, así que la \
             parte congelada se volvió a calcular en cada paso (más lento)",
            needed_bytes.div_ceil(1 << 20),
            budget_bytes >> 20
        ),
    };
    format!("Nota: {text}.")
}
