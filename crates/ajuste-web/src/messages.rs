//! Every sentence the page shows about something the engine or the protocol reported, in the
//! current language (the catalogs are in `i18n/`). A sentence is made when it happens, in the
//! language of that moment.

use ajuste_protocol::{EngineError, Invalid, Notice};

use super::i18n::tr;

/// An error the engine sent (a refused image, a failed training run, a crash, ...).
pub fn engine_error(error: &EngineError) -> String {
    (tr().engine_error)(error)
}

/// A value the page refused before sending it (the same check the engine makes).
pub fn invalid(error: &Invalid) -> String {
    (tr().invalid)(error)
}

/// Something worth knowing about a training run that went through.
pub fn notice(notice: &Notice) -> String {
    (tr().notice)(notice)
}

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
    (tr().unreadable_event)(error)
}

/// A command that could not be sealed or posted.
pub fn unsendable_command(error: &str) -> String {
    (tr().unsendable_command)(error)
}

/// The worker stopped without saying why in a message (a panic, a failed load).
pub fn engine_crashed(detail: &str) -> String {
    (tr().engine_crashed)(detail)
}

pub fn engine_not_running() -> String {
    tr().engine_not_running.into()
}

pub fn worker_start_failed(detail: &str) -> String {
    (tr().worker_start_failed)(detail)
}

/// A number field whose text is not a whole number.
pub fn not_a_whole_number(what: &str) -> String {
    (tr().not_a_whole_number)(what)
}

/// While the engine writes or reads a file.
pub fn file_busy(opening: bool) -> &'static str {
    if opening {
        tr().opening
    } else {
        tr().preparing_file
    }
}

/// The bar's buttons wait for the engine (loading, training, another file).
pub fn files_not_ready() -> String {
    tr().files_not_ready.into()
}

pub fn file_saved(name: &str) -> String {
    (tr().file_saved)(name)
}

pub fn project_opened(classes: usize, images: usize) -> String {
    (tr().project_opened)(classes, images)
}

pub fn model_opened(classes: &[String]) -> String {
    (tr().model_opened)(classes.len(), &classes.join(", "))
}

/// What an image of an opened project is called (it has no file name any more).
pub fn project_image_name(class: &str, number: usize) -> String {
    (tr().project_image_name)(class, number)
}

pub fn file_without_bytes(name: &str) -> String {
    (tr().file_without_bytes)(name)
}

pub fn file_interrupted() -> String {
    tr().file_interrupted.into()
}

/// The restarted engine could not open the project the page's images came from.
pub fn project_not_reopened(detail: &str) -> String {
    (tr().project_not_reopened)(detail)
}

pub fn storage_saved(classes: usize, images: usize, bytes: f64, room_left: Option<f64>) -> String {
    let room = room_left.map(size);
    (tr().storage_saved)(classes, images, &size(bytes), room.as_deref())
}

/// `reason` is a sentence of its own (capitalised, maybe ending in a full stop).
pub fn not_saved(reason: &str) -> String {
    let reason = reason.trim_end_matches('.');
    let mut chars = reason.chars();
    let reason: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    (tr().not_saved)(&reason)
}

pub fn storage_unavailable(detail: &str) -> String {
    (tr().storage_unavailable)(detail)
}

pub fn storage_full(bytes: f64) -> String {
    (tr().storage_full)(&size(bytes))
}

pub fn storage_failed(detail: &str) -> String {
    (tr().storage_failed)(detail)
}

/// The project kept on this device did not open (an older page reading a newer file, say).
pub fn stored_project_unreadable(detail: &str) -> String {
    (tr().stored_project_unreadable)(detail.trim_end_matches('.'))
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
