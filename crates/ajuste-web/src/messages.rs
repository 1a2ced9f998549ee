//! Every sentence the page shows about something the engine or the protocol reported, in the
//! current language (the sentences are in `locales/*.json`). A sentence is made when it
//! happens, in the language of that moment.

use ajuste_protocol::EngineError;

use super::counts;
use super::i18n::td_string;
use super::language::locale;

// The engine's errors and notes, one sentence per variant.
pub use super::engine_errors::{engine_error, invalid, notice};

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
    td_string!(locale(), engine.unreadable_event, error).to_string()
}

/// A command that could not be sealed or posted.
pub fn unsendable_command(error: &str) -> String {
    td_string!(locale(), engine.unsendable_command, error).to_string()
}

/// The worker stopped without saying why in a message (a panic, a failed load).
pub fn engine_crashed(detail: &str) -> String {
    if detail.is_empty() {
        td_string!(locale(), engine.crashed).to_string()
    } else {
        td_string!(locale(), engine.crashed_with, detail).to_string()
    }
}

pub fn engine_not_running() -> String {
    td_string!(locale(), engine.not_running).to_string()
}

pub fn worker_start_failed(detail: &str) -> String {
    td_string!(locale(), engine.start_failed, detail).to_string()
}

/// A number field whose text is not a whole number.
pub fn not_a_whole_number(what: &str) -> String {
    td_string!(locale(), train.not_a_whole_number, what).to_string()
}

/// While the engine writes or reads a file.
pub fn file_busy(opening: bool) -> &'static str {
    if opening {
        td_string!(locale(), project.opening)
    } else {
        td_string!(locale(), project.preparing_file)
    }
}

/// The bar's buttons wait for the engine (loading, training, another file).
pub fn files_not_ready() -> String {
    td_string!(locale(), project.not_ready).to_string()
}

pub fn file_saved(name: &str) -> String {
    td_string!(locale(), project.saved, name).to_string()
}

pub fn project_opened(classes: usize, images: usize) -> String {
    td_string!(
        locale(),
        project.opened,
        classes = counts::classes(classes),
        images = counts::images(images)
    )
    .to_string()
}

pub fn model_opened(classes: &[String]) -> String {
    td_string!(
        locale(),
        project.model_opened,
        classes = counts::classes(classes.len()),
        names = classes.join(", ")
    )
    .to_string()
}

/// What an image of an opened project is called (it has no file name any more).
pub fn project_image_name(class: &str, number: usize) -> String {
    td_string!(locale(), project.image_name, name = class, n = number).to_string()
}

pub fn file_without_bytes(name: &str) -> String {
    td_string!(locale(), project.without_bytes, name).to_string()
}

pub fn file_interrupted() -> String {
    td_string!(locale(), project.interrupted).to_string()
}

/// The restarted engine could not open the project the page's images came from.
pub fn project_not_reopened(detail: &str) -> String {
    td_string!(locale(), project.not_reopened, detail).to_string()
}

pub fn storage_saved(classes: usize, images: usize, bytes: f64, room_left: Option<f64>) -> String {
    // How many more images of the same average size the room left holds: said before the
    // quota is reached, not when a save fails.
    let more = room_left
        .filter(|_| images > 0 && bytes > 0.0)
        .map(|room| (room / (bytes / images as f64)).floor() as usize);
    let (classes, images, size_now) = (
        counts::classes(classes),
        counts::images(images),
        size(bytes),
    );
    match (room_left, more) {
        (Some(room), Some(more)) => td_string!(
            locale(),
            storage.saved_room,
            classes,
            images,
            size = size_now,
            room = size(room),
            more = counts::many_images(more)
        )
        .to_string(),
        (Some(room), None) => td_string!(
            locale(),
            storage.saved_of,
            classes,
            images,
            size = size_now,
            room = size(room)
        )
        .to_string(),
        (None, _) => {
            td_string!(locale(), storage.saved, classes, images, size = size_now).to_string()
        }
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
    td_string!(locale(), storage.not_saved, reason).to_string()
}

pub fn storage_unavailable(detail: &str) -> String {
    td_string!(locale(), storage.unavailable, detail).to_string()
}

pub fn storage_full(bytes: f64) -> String {
    td_string!(locale(), storage.full, size = size(bytes)).to_string()
}

pub fn storage_failed(detail: &str) -> String {
    td_string!(locale(), storage.failed, detail).to_string()
}

/// The project kept on this device did not open (an older page reading a newer file, say).
pub fn stored_image_unreadable() -> String {
    td_string!(locale(), storage.image_unreadable).to_string()
}

pub fn stored_project_unreadable(detail: &str) -> String {
    let detail = detail.trim_end_matches('.');
    td_string!(locale(), storage.unreadable, detail).to_string()
}

/// The engine stopped while it opened the project kept on this device.
pub fn stored_project_crashed() -> String {
    td_string!(locale(), storage.crashed).to_string()
}

pub fn set_aside_gone() -> String {
    td_string!(locale(), storage.set_aside_gone).to_string()
}

pub fn rename_elsewhere() -> String {
    td_string!(locale(), projects.rename_elsewhere).to_string()
}

pub fn delete_elsewhere() -> String {
    td_string!(locale(), projects.delete_elsewhere).to_string()
}

/// What all projects take together, and the room left when the browser says.
pub fn projects_total(bytes: f64, room_left: Option<f64>) -> String {
    match room_left {
        Some(room) => td_string!(
            locale(),
            projects.total_of,
            size = size(bytes),
            room = size(room)
        )
        .to_string(),
        None => td_string!(locale(), projects.total, size = size(bytes)).to_string(),
    }
}

/// A project's size and when it was last stored (`changed`: ms since 1970; 0: never).
pub fn project_changed(bytes: f64, changed: f64) -> String {
    if bytes <= 0.0 {
        return td_string!(locale(), projects.never_saved).to_string();
    }
    let date = js_sys::Date::new(&changed.into());
    let language = if locale() == super::i18n::Locale::es {
        "es"
    } else {
        "en"
    };
    let date = date
        .to_locale_string(language, &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default();
    td_string!(locale(), projects.changed, size = size(bytes), date).to_string()
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
