//! Importing many images: the "Add a folder" picker, folders dropped anywhere on the page,
//! one progress line for the import (reading, then features) with its Cancel, and what the
//! import did once it ends (added to which classes, refused, cancelled, skipped and why).

use ajuste_protocol::folder_layout::{SkipReason, Skipped};
use ajuste_protocol::limits::MAX_CLASSES;
use ajuste_protocol::widget::Control;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, Element, HtmlInputElement};

use super::counts;
use super::embed::Widget;
use super::files::files_of;
use super::folder_pick::{dropped_entries, has_folder, import_dropped, import_folder, picked};
use super::i18n::td_string;
use super::import::ImportProgress;
use super::language::locale;
use super::messages;
use super::progress::features_computing;
use super::state::AppState;

/// How many paths the summary names for each reason.
const EXAMPLES: usize = 3;

#[component]
pub fn FolderImport() -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
    let importer = state.importer;
    // A folder makes classes: not where the embedding page fixed them.
    let allowed = move || widget.shows(Control::Upload) && !widget.locked(Control::Classes);

    let on_pick = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        import_folder(state, picked(files_of(input.files())), Vec::new());
        input.set_value("");
    };
    // A folder dropped anywhere on the page but where a drop means something else (a class
    // card takes folders itself, `class_card.rs`). Dropping is allowed everywhere: a file
    // dropped elsewhere would otherwise replace the page.
    let _ = window_event_listener(leptos::ev::dragover, move |event: DragEvent| {
        event.prevent_default();
    });
    let _ = window_event_listener(leptos::ev::drop, move |event: DragEvent| {
        let on_card = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest(".class-card").ok().flatten())
            .is_some();
        if on_card || event.default_prevented() {
            return;
        }
        event.prevent_default();
        let Some(transfer) = event.data_transfer() else {
            return;
        };
        let entries = dropped_entries(&transfer);
        if allowed() && has_folder(&entries) {
            import_dropped(state, entries);
        }
    });

    view! {
        <Show when=allowed>
            <div class="folder-import">
                <label class="button">
                    {move || td_string!(locale(), import.add_folder)}
                    <input
                        class="visually-hidden"
                        type="file"
                        prop:webkitdirectory=true
                        multiple
                        data-testid="folder-input"
                        on:change=on_pick
                    />
                </label>
                <p class="hint">{move || td_string!(locale(), import.folder_hint)}</p>
            </div>
        </Show>
        <Show when=move || importer.folder_error.with(Option::is_some)>
            <p class="error" data-testid="error" role="alert">{move || importer.folder_error.get()}</p>
        </Show>
        <Show when=move || importer.progress.with(Option::is_some)>
            <ImportStatus />
        </Show>
    }
}

/// True when the drop holds a folder, which is imported as classes (the entries go now).
pub fn took_folder(state: AppState, transfer: &web_sys::DataTransfer) -> bool {
    let entries = dropped_entries(transfer);
    let folder = has_folder(&entries);
    if folder {
        import_dropped(state, entries);
    }
    folder
}

#[component]
fn ImportStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let progress = state.importer.progress;
    // Read one number of the import (0 when there is none).
    let number =
        move |of: fn(&ImportProgress) -> usize| move || progress.with(|p| p.as_ref().map_or(0, of));
    let finished = move || progress.with(|p| p.as_ref().is_none_or(ImportProgress::finished));
    let features = state.features;
    let text = move || {
        progress.with(|progress| {
            let progress = progress.as_ref()?;
            Some(if !progress.finished() {
                td_string!(
                    locale(),
                    import.reading,
                    done = progress.done,
                    total = progress.total
                )
                .to_string()
            } else {
                match features.get() {
                    (ready, wanted) if ready < wanted => features_computing(state, ready, wanted),
                    _ => td_string!(
                        locale(),
                        import.finished,
                        added = counts::images_added(progress.added_total())
                    )
                    .to_string(),
                }
            })
        })
    };
    view! {
        <div
            class="import-progress"
            data-testid="import-progress"
            data-state=move || if finished() { "done" } else { "importing" }
            data-done=number(|p| p.done)
            data-total=number(|p| p.total)
            data-in-flight=number(|p| p.in_flight)
            data-max-in-flight=number(|p| p.max_in_flight)
            role="status"
        >
            <progress max=move || number(|p| p.total)().max(1) value=number(|p| p.done)></progress>
            <span class="progress-text">{text}</span>
            <button
                type="button"
                data-testid="cancel-import"
                disabled=finished
                on:click=move |_| state.cancel_import()
            >
                {move || td_string!(locale(), import.cancel)}
            </button>
        </div>
        {move || {
            progress
                .get()
                .filter(ImportProgress::finished)
                .map(|progress| view! { <ImportSummary progress /> })
        }}
    }
}

#[component]
fn ImportSummary(progress: ImportProgress) -> impl IntoView {
    let added = progress
        .added
        .iter()
        .map(|(class, count)| {
            let name = class.name.get_untracked();
            td_string!(locale(), import.class_count, name = name.trim(), n = count).to_string()
        })
        .collect::<Vec<_>>()
        .join(", ");
    let added_total = progress.added_total();
    let groups = reasons(&progress.skipped);
    view! {
        <div
            class="import-summary"
            data-testid="import-summary"
            data-added=added_total
            data-refused=progress.refused
            data-cancelled=progress.cancelled
            data-skipped=progress.skipped.len()
        >
            <p>{import_added(added_total, &added)}</p>
            {(progress.refused > 0)
                .then(|| {
                    let files = counts::files(progress.refused);
                    view! { <p>{td_string!(locale(), import.refused, files).to_string()}</p> }
                })}
            {(progress.cancelled > 0)
                .then(|| {
                    let files = counts::files(progress.cancelled);
                    view! { <p>{td_string!(locale(), import.cancelled, files).to_string()}</p> }
                })}
            {(!progress.skipped.is_empty())
                .then(|| {
                    view! {
                        <p>{td_string!(locale(), import.skipped, files = counts::files(progress.skipped.len())).to_string()}</p>
                        <ul>
                            {groups
                                .into_iter()
                                .map(|(key, why, paths)| {
                                    let count = paths.len();
                                    let named = paths
                                        .iter()
                                        .take(EXAMPLES)
                                        .cloned()
                                        .collect::<Vec<_>>()
                                        .join(", ");
                                    let more = if count > EXAMPLES { ", …" } else { "" };
                                    view! {
                                        <li data-testid="skipped" data-reason=key data-count=count>
                                            {format!("{why}: {count} ({named}{more})")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </div>
    }
}

/// Images added, and to which classes (`list`).
fn import_added(n: usize, list: &str) -> String {
    if n == 0 {
        td_string!(locale(), import.none_added).to_string()
    } else {
        td_string!(locale(), import.added, images = counts::images(n), list).to_string()
    }
}

/// The skipped files by reason: a stable key (the test hook), the reason in words, the paths.
fn reasons(skipped: &[Skipped]) -> Vec<(&'static str, String, Vec<String>)> {
    let mut groups: Vec<(&'static str, String, Vec<String>)> = Vec::new();
    for skip in skipped {
        let (key, why) = match &skip.reason {
            SkipReason::NotImage => (
                "not-image",
                td_string!(locale(), import.skip_not_image).to_string(),
            ),
            SkipReason::NotInClass => (
                "not-in-class",
                td_string!(locale(), import.skip_not_in_class).to_string(),
            ),
            SkipReason::NestedTooDeep => (
                "nested",
                td_string!(locale(), import.skip_nested).to_string(),
            ),
            SkipReason::ClassName(invalid) => ("class-name", messages::invalid(invalid)),
            SkipReason::TooManyClasses => (
                "too-many-classes",
                td_string!(locale(), import.skip_too_many_classes, max = MAX_CLASSES).to_string(),
            ),
        };
        match groups.iter_mut().find(|(k, w, _)| *k == key && *w == why) {
            Some((_, _, paths)) => paths.push(skip.path.clone()),
            None => groups.push((key, why, vec![skip.path.clone()])),
        }
    }
    groups
}
