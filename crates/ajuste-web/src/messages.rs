//! Every sentence the page shows about something the engine or the protocol reported, in one
//! place, so that translating the page means changing this file. For now the wording is the
//! protocol crate's English (`Display`).

use ajuste_protocol::{EngineError, Invalid, Notice};

/// An error the engine sent (a refused image, a failed training run, a crash, ...).
pub fn engine_error(error: &EngineError) -> String {
    capitalised(&error.to_string())
}

/// A value the page refused before sending it (the same check the engine makes).
pub fn invalid(error: &Invalid) -> String {
    capitalised(&error.to_string())
}

/// Something worth knowing about a training run that went through.
pub fn notice(notice: &Notice) -> String {
    format!("Note: {}.", notice)
}

/// A sample the engine refused, named by what the user called it.
pub fn sample_rejected(name: &str, error: &EngineError) -> String {
    if name.is_empty() {
        engine_error(error)
    } else {
        format!("{name}: {error}")
    }
}

/// A message from the engine that did not decode (a bug, or a page and an engine of
/// different versions).
pub fn unreadable_event(error: &str) -> String {
    format!(
        "A message from the engine could not be read ({error}). The page may be out of date: reload it."
    )
}

/// A command that could not be sealed or posted.
pub fn unsendable_command(error: &str) -> String {
    format!("A request could not be sent to the engine: {error}")
}

/// The worker stopped without saying why in a message (a panic, a failed load).
pub fn engine_crashed(detail: &str) -> String {
    if detail.is_empty() {
        "The engine stopped on an error.".into()
    } else {
        format!("The engine stopped on an error: {detail}")
    }
}

pub fn engine_not_running() -> String {
    "The engine is not running: restart it.".into()
}

pub fn worker_start_failed(detail: &str) -> String {
    format!("Cannot start the engine: {detail}")
}

/// A number field whose text is not a whole number.
pub fn not_a_whole_number(what: &str) -> String {
    format!("{what}: enter a whole number")
}

// The project bar: saving and opening files.

pub const PROJECT_TITLE: &str = "Project";
pub const SAVE_PROJECT: &str = "Save project";
pub const OPEN_PROJECT: &str = "Open project";
pub const DOWNLOAD_MODEL: &str = "Download model";
pub const OPEN_MODEL: &str = "Open model";
pub const DISMISS: &str = "Dismiss";
pub const PROJECT_HINT: &str = "A project file (.ajuste) keeps the classes, their images, the \
    settings and the trained classifier; drop one here to open it. The model alone (a .zip) is \
    what the ajuste command-line tool reads.";

/// While the engine writes or reads a file.
pub fn file_busy(opening: bool) -> &'static str {
    if opening {
        "Opening…"
    } else {
        "Preparing the file…"
    }
}

/// The bar's buttons wait for the engine (loading, training, another file).
pub fn files_not_ready() -> String {
    "Wait until the engine is ready (and not training) to open a file.".into()
}

pub fn file_saved(name: &str) -> String {
    format!("Downloaded {name}.")
}

pub fn project_opened(classes: usize, images: usize) -> String {
    format!(
        "Opened a project of {} and {}.",
        counted(classes, "class", "classes"),
        counted(images, "image", "images")
    )
}

pub fn model_opened(classes: &[String]) -> String {
    format!(
        "Opened a model of {}: {}.",
        counted(classes.len(), "class", "classes"),
        classes.join(", ")
    )
}

/// What an image of an opened project is called (it has no file name any more).
pub fn project_image_name(class: &str, number: usize) -> String {
    format!("{class}, image {number}")
}

pub fn file_without_bytes(name: &str) -> String {
    format!("{name}: the engine sent the file without its contents.")
}

pub fn file_interrupted() -> String {
    "The engine stopped before the file was saved or opened: try again.".into()
}

/// The restarted engine could not open the project the page's images came from.
pub fn project_not_reopened(detail: &str) -> String {
    format!(
        "The restarted engine could not open the project again ({detail}); its images were taken off the page: open the file again."
    )
}

// The storage-status line: the project kept on this device.

pub const STORAGE_RESTORING: &str = "Looking for work saved on this device…";
pub const STORAGE_EMPTY: &str =
    "Nothing saved on this device yet: your work is saved here as you make it.";
pub const STORAGE_SAVING: &str = "Saving on this device…";
pub const STORAGE_WAITING: &str =
    "Changes not saved on this device yet: they are saved once the engine is free.";

pub fn storage_saved(classes: usize, images: usize, bytes: f64, room_left: Option<f64>) -> String {
    let room = room_left
        .map(|room| format!(" (of {} available)", size(room)))
        .unwrap_or_default();
    format!(
        "Saved on this device: {}, {}, {}{room}.",
        counted(classes, "class", "classes"),
        counted(images, "image", "images"),
        size(bytes)
    )
}

/// `reason` is a sentence of its own (capitalised, maybe ending in a full stop).
pub fn not_saved(reason: &str) -> String {
    let reason = reason.trim_end_matches('.');
    let mut chars = reason.chars();
    let reason: String = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    format!(
        "Not saved: {reason}. Your work is still on this page; save the project as a file to keep it."
    )
}

pub fn storage_unavailable(detail: &str) -> String {
    format!(
        "this browser does not let the page keep data (a private window, or site data blocked in its settings: {detail})"
    )
}

pub fn storage_full(bytes: f64) -> String {
    format!(
        "no room left: the browser's storage quota for this page is full (the project needs {}); free some space or remove images, and it is tried again at your next change",
        size(bytes)
    )
}

pub fn storage_failed(detail: &str) -> String {
    format!(
        "the browser could not store the project ({detail}); it is tried again at your next change"
    )
}

/// The project kept on this device did not open (an older page reading a newer file, say).
pub fn stored_project_unreadable(detail: &str) -> String {
    format!(
        "the project kept on this device could not be opened ({}); your next change replaces it",
        detail.trim_end_matches('.')
    )
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

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
