//! The line under the project bar that says what is kept on this device (`storage-status`):
//! `data-saved` is "true" exactly when the stored project is what the page shows.

use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::state::AppState;

/// A project kept on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub classes: usize,
    pub images: usize,
    pub bytes: f64,
    /// Room the browser still allows this page, once it says.
    pub room_left: Option<f64>,
    /// The last save of this visit: bytes written and milliseconds taken (for the benchmark).
    pub last_write: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StorageStatus {
    /// Looking for a project kept on this device, and opening it.
    Restoring,
    /// Nothing kept, and nothing to keep yet.
    Empty,
    /// Changes are on their way to the device.
    Saving,
    Saved(Stored),
    /// Why the last save failed, or why nothing can be kept.
    NotSaved(String),
    /// Another tab writes this project (`writer.rs`); `taken_over`: it took it from this one.
    ReadOnly {
        taken_over: bool,
    },
}

impl StorageStatus {
    fn text(&self) -> String {
        match self {
            Self::Restoring => td_string!(locale(), storage.restoring).into(),
            Self::Empty => td_string!(locale(), storage.empty).into(),
            Self::Saving => td_string!(locale(), storage.saving).into(),
            Self::Saved(stored) => messages::storage_saved(
                stored.classes,
                stored.images,
                stored.bytes,
                stored.room_left,
            ),
            Self::NotSaved(reason) => messages::not_saved(reason),
            Self::ReadOnly { taken_over: false } => td_string!(locale(), storage.read_only).into(),
            Self::ReadOnly { taken_over: true } => {
                td_string!(locale(), storage.read_only_taken).into()
            }
        }
    }

    /// `data-state`, for the browser tests.
    fn name(&self) -> &'static str {
        match self {
            Self::Restoring => "restoring",
            Self::Empty => "empty",
            Self::Saving => "saving",
            Self::Saved(_) => "saved",
            Self::NotSaved(_) => "failed",
            Self::ReadOnly { .. } => "read-only",
        }
    }
}

#[component]
pub fn StorageStatusLine() -> impl IntoView {
    let status = expect_context::<AppState>().storage;
    let failed = move || status.with(|s| matches!(s, StorageStatus::NotSaved(_)));
    let last_write = move |part: usize| {
        status.with(|s| match s {
            StorageStatus::Saved(Stored {
                last_write: Some((bytes, ms)),
                ..
            }) => Some([bytes, ms][part].round().to_string()),
            _ => None,
        })
    };
    view! {
        <p
            class="hint"
            class:error=failed
            data-testid="storage-status"
            data-saved=move || status.with(|s| matches!(s, StorageStatus::Saved(_))).to_string()
            data-state=move || status.with(StorageStatus::name)
            data-written=move || last_write(0)
            data-write-ms=move || last_write(1)
            role="status"
        >
            {move || status.with(StorageStatus::text)}
        </p>
    }
}
