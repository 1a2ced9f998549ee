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

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
