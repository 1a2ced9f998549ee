//! The weights download bar shown while the model loads.

use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;

#[component]
pub fn StartupProgress(progress: RwSignal<(u64, Option<u64>)>) -> impl IntoView {
    let megabytes = |bytes: u64| bytes as f64 / 1_000_000.0;
    view! {
        <section class="panel startup" aria-live="polite">
            <label for="weights-progress">{move || td_string!(locale(), page.loading_network)}</label>
            <progress
                id="weights-progress"
                data-testid="weights-progress"
                max=move || progress.get().1.unwrap_or(0).max(1) as f64
                value=move || progress.get().0 as f64
            ></progress>
            <span class="progress-text">
                {move || match progress.get() {
                    (done, Some(total)) => format!("{:.1} / {:.1} MB", megabytes(done), megabytes(total)),
                    (done, None) => format!("{:.1} MB", megabytes(done)),
                }}
            </span>
        </section>
    }
}
