//! Every sentence the page shows about something the engine or the protocol reported, in the
//! current language (the sentences are in `locales/*.json`). A sentence is made when it
//! happens, in the language of that moment.

use ajuste_protocol::EngineError;

use super::counts;
/// An error the engine sent (a refused image, a failed training run, a crash, ...).
pub use super::engine_errors::engine_error;
/// A value the page refused before sending it (the same check the engine makes).
pub use super::engine_errors::invalid;
/// Something worth knowing about a training run that went through.
pub use super::engine_errors::notice;
use super::i18n::t_string;
use super::language::i18n;

/// A sample the engine refused, named by what the user called it.
pub fn sample_rejected(name: &str, error: &EngineError) -> String {
    if name.is_empty() {
        engine_error(error)
    } else {
        format!("{name}: {}", engine_error(error))
    }
}

/// A message from the engine that did not decode (a bug, or a page and an engine of
/// different versions).
pub fn unreadable_event(error: &str) -> String {
    t_string!(i18n(), engine.unreadable_event, error).to_string()
}

/// A command that could not be sealed or posted.
pub fn unsendable_command(error: &str) -> String {
    t_string!(i18n(), engine.unsendable_command, error).to_string()
}

/// The worker stopped without saying why in a message (a panic, a failed load).
pub fn engine_crashed(detail: &str) -> String {
    if detail.is_empty() {
        t_string!(i18n(), engine.crashed).to_string()
    } else {
        t_string!(i18n(), engine.crashed_with, detail).to_string()
    }
}

pub fn engine_not_running() -> String {
    t_string!(i18n(), engine.not_running).to_string()
}

pub fn worker_start_failed(detail: &str) -> String {
    t_string!(i18n(), engine.start_failed, detail).to_string()
}

/// A number field whose text is not a whole number.
pub fn not_a_whole_number(what: &str) -> String {
    t_string!(i18n(), train.not_a_whole_number, what).to_string()
}

/// While the engine writes or reads a file.
pub fn file_busy(opening: bool) -> &'static str {
    if opening {
        t_string!(i18n(), project.opening)
    } else {
        t_string!(i18n(), project.preparing_file)
    }
}

/// The bar's buttons wait for the engine (loading, training, another file).
pub fn files_not_ready() -> String {
    t_string!(i18n(), project.not_ready).to_string()
}

pub fn file_saved(name: &str) -> String {
    t_string!(i18n(), project.saved, name).to_string()
}

pub fn project_opened(classes: usize, images: usize) -> String {
    t_string!(
        i18n(),
        project.opened,
        classes = counts::classes(classes),
        images = counts::images(images)
    )
    .to_string()
}

pub fn model_opened(classes: &[String]) -> String {
    t_string!(
        i18n(),
        project.model_opened,
        classes = counts::classes(classes.len()),
        names = classes.join(", ")
    )
    .to_string()
}

/// What an image of an opened project is called (it has no file name any more).
pub fn project_image_name(class: &str, number: usize) -> String {
    t_string!(i18n(), project.image_name, name = class, n = number).to_string()
}

pub fn file_without_bytes(name: &str) -> String {
    t_string!(i18n(), project.without_bytes, name).to_string()
}

pub fn file_interrupted() -> String {
    t_string!(i18n(), project.interrupted).to_string()
}

/// The restarted engine could not open the project the page's images came from.
pub fn project_not_reopened(detail: &str) -> String {
    t_string!(i18n(), project.not_reopened, detail).to_string()
}

pub fn storage_saved(classes: usize, images: usize, bytes: f64, room_left: Option<f64>) -> String {
    let (classes, images, size_now) = (
        counts::classes(classes),
        counts::images(images),
        size(bytes),
    );
    match room_left {
        Some(room) => t_string!(
            i18n(),
            storage.saved_of,
            classes,
            images,
            size = size_now,
            room = size(room)
        )
        .to_string(),
        None => t_string!(i18n(), storage.saved, classes, images, size = size_now).to_string(),
    }
}

/// `reason` is a sentence of its own (capitalised, maybe ending in a full stop).
pub fn not_saved(reason: &str) -> String {
    let reason = reason.trim_end_matches('.');
    let mut chars = reason.chars();
    let reason: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    t_string!(i18n(), storage.not_saved, reason).to_string()
}

pub fn storage_unavailable(detail: &str) -> String {
    t_string!(i18n(), storage.unavailable, detail).to_string()
}

pub fn storage_full(bytes: f64) -> String {
    t_string!(i18n(), storage.full, size = size(bytes)).to_string()
}

pub fn storage_failed(detail: &str) -> String {
    t_string!(i18n(), storage.failed, detail).to_string()
}

/// The project kept on this device did not open (an older page reading a newer file, say).
pub fn stored_project_unreadable(detail: &str) -> String {
    let detail = detail.trim_end_matches('.');
    t_string!(i18n(), storage.unreadable, detail).to_string()
}

/// In kB, MB or GB (decimal, as disks are sold).
fn size(bytes: f64) -> String {
    if bytes < 1e6 {
        format!("{:.0} kB", (bytes / 1e3).max(1.0))
    } else if bytes < 1e9 {
        format!("{:.1} MB", bytes / 1e6)
    } else {
        format!("{:.1} GB", bytes / 1e9)
    }
}
