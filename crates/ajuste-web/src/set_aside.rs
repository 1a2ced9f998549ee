//! A stored project the engine could not open (a newer schema after a rollback, a damaged
//! record, one that crashed the engine) is moved aside in IndexedDB (`autosave::set_aside`)
//! rather than overwritten by the next save; the page says so and offers its raw bytes as a
//! download, so that a newer version of Ajuste, or a person, can still read it. Every record
//! set aside, of any visit, is also listed under the projects (`project_list.rs`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::autosave;
use super::files::download;
use super::i18n::td_string;
use super::language::locale;
use super::messages;

/// The project set aside at this visit, if any.
#[derive(Clone, Copy)]
pub struct SetAside {
    /// Its key in the store.
    pub key: RwSignal<Option<String>>,
    /// Why its download failed.
    pub error: RwSignal<Option<String>>,
}

impl SetAside {
    pub fn new() -> Self {
        Self {
            key: RwSignal::new(None),
            error: RwSignal::new(None),
        }
    }

    /// Downloads the set-aside bytes exactly as they were stored.
    fn download(self) {
        let Some(key) = self.key.get_untracked() else {
            return;
        };
        spawn_local(async move { self.error.set(download_set_aside(&key).await.err()) });
    }
}

/// Downloads the record set aside under `key`, exactly as it was stored; the sentence to show
/// when it cannot.
pub async fn download_set_aside(key: &str) -> Result<(), String> {
    match autosave::load_set_aside(key).await {
        Ok(Some(bytes)) => download(&bytes, &file_name(key), "application/octet-stream"),
        Ok(None) => Err(messages::set_aside_gone()),
        Err(error) => Err(super::saving::storage_problem(&error, 0.0)),
    }
}

/// When a record was set aside, as its key says (`aside:<ISO time>`).
pub fn set_aside_time(key: &str) -> &str {
    key.trim_start_matches(autosave::ASIDE_PREFIX)
}

/// `aside:2026-12-07T18:00:00.000Z` → `ajuste-set-aside-2026-12-07T18-00-00.ajuste`.
fn file_name(key: &str) -> String {
    let time: String = set_aside_time(key)
        .chars()
        .take_while(|c| *c != '.')
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("ajuste-set-aside-{time}.ajuste")
}

#[component]
pub fn SetAsideNotice() -> impl IntoView {
    let set_aside = expect_context::<SetAside>();
    view! {
        <Show when=move || set_aside.key.with(Option::is_some)>
            <div class="notice" data-testid="set-aside" role="status">
                <p>{move || td_string!(locale(), storage.set_aside)}</p>
                <button
                    type="button"
                    data-testid="download-set-aside"
                    on:click=move |_| set_aside.download()
                >
                    {move || td_string!(locale(), storage.download_set_aside)}
                </button>
                <Show when=move || set_aside.error.with(Option::is_some)>
                    <p class="error" role="alert">{move || set_aside.error.get()}</p>
                </Show>
            </div>
        </Show>
    }
}
