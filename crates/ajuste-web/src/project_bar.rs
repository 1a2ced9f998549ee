//! The project bar: save the whole project or the model alone, open either (picker, or a
//! project file dropped on the bar), and what is kept on this device. What it does is in
//! `project.rs` (files) and `saving.rs` (the autosave).

use leptos::prelude::*;
use web_sys::{DragEvent, File, HtmlInputElement};

use super::embed::Widget;
use super::files::files_of;
use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::project::FileTask;
use super::project_list::ProjectList;
use super::set_aside::SetAsideNotice;
use super::state::AppState;
use super::storage_status::StorageStatusLine;
use super::writer_notice::WriterNotice;

/// The first file picked, with the input emptied so that picking the same file again
/// fires `change` again.
fn picked(event: &web_sys::Event) -> Option<File> {
    let input: HtmlInputElement = event_target(event);
    let file = files_of(input.files()).into_iter().next();
    input.set_value("");
    file
}

#[component]
pub fn ProjectBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
    let dragging = RwSignal::new(false);
    let ready = move || state.files_ready();
    let busy = move || {
        state.file_task.get().map(|task| {
            messages::file_busy(matches!(task, FileTask::OpenProject | FileTask::OpenModel))
        })
    };

    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let files = files_of(event.data_transfer().and_then(|d| d.files()));
        let Some(file) = files.into_iter().next() else {
            return;
        };
        if untrack(ready) {
            state.open_project_file(file);
        } else {
            state.project_error.set(Some(messages::files_not_ready()));
        }
    };

    view! {
        <section
            class="panel project-bar"
            class:dragging=move || dragging.get()
            data-testid="project-bar"
            aria-labelledby="project-title"
            aria-busy=move || busy().is_some().to_string()
            on:dragover=move |event: DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <h2 id="project-title">{move || td_string!(locale(), project.title)}</h2>
            <div class="add-row">
                <button
                    type="button"
                    data-testid="save-project"
                    disabled=move || !ready()
                    on:click=move |_| state.save_project()
                >
                    {move || td_string!(locale(), project.save)}
                </button>
                <label class="button">
                    {move || td_string!(locale(), project.open)}
                    <input
                        class="visually-hidden"
                        type="file"
                        accept=".ajuste"
                        data-testid="open-project"
                        disabled=move || !ready()
                        on:change=move |event| {
                            if let Some(file) = picked(&event) {
                                state.open_project_file(file);
                            }
                        }
                    />
                </label>
                <button
                    type="button"
                    data-testid="download-model"
                    disabled=move || !ready() || !state.has_classifier.get()
                    on:click=move |_| state.export_model()
                >
                    {move || td_string!(locale(), project.download_model)}
                </button>
                <label class="button">
                    {move || td_string!(locale(), project.open_model)}
                    <input
                        class="visually-hidden"
                        type="file"
                        accept=".zip,.ajuste"
                        data-testid="open-model"
                        disabled=move || !ready()
                        on:change=move |event| {
                            if let Some(file) = picked(&event) {
                                state.open_model_file(file);
                            }
                        }
                    />
                </label>
                <span class="busy" role="status">{busy}</span>
            </div>
            <p class="hint">{move || td_string!(locale(), project.hint)}</p>
            // The widget keeps nothing on the device: nothing to say about it.
            <Show when=move || !widget.embed>
                <StorageStatusLine />
                <WriterNotice />
                <SetAsideNotice />
                <ProjectList />
            </Show>
            <Show when=move || state.project_status.with(Option::is_some)>
                <p class="hint" data-testid="project-status" role="status">
                    {move || state.project_status.get()}
                </p>
            </Show>
            <Show when=move || state.project_error.with(Option::is_some)>
                <div class="error-row">
                    <p class="error" data-testid="project-error" role="alert">
                        {move || state.project_error.get()}
                    </p>
                    <button
                        type="button"
                        class="quiet"
                        data-testid="dismiss-project-error"
                        on:click=move |_| state.project_error.set(None)
                    >
                        {move || td_string!(locale(), common.dismiss)}
                    </button>
                </div>
            </Show>
        </section>
    }
}
