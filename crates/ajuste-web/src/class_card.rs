//! One class: its name (editable in place), whether it trains, its images, and every way of
//! adding more (file picker, drag and drop, paste, webcam).

use ajuste_protocol::limits::MAX_CLASS_NAME_CHARS;
use leptos::prelude::*;
use web_sys::{DragEvent, HtmlInputElement};

use super::capture::WebcamCapture;
use super::files::{add_files, files_of};
use super::state::{AppState, ClassModel, SampleModel};

#[component]
pub fn ClassCard(class: ClassModel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let name = move || class.name.get();
    let count = move || class.samples.with(Vec::len);

    let on_pick = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        add_files(state, class, files_of(input.files()));
        // Picking the same files again must fire `change` again.
        input.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        let files = event.data_transfer().and_then(|d| d.files());
        add_files(state, class, files_of(files));
    };
    let on_paste = move |event: web_sys::ClipboardEvent| {
        let files = files_of(event.clipboard_data().and_then(|d| d.files()));
        if !files.is_empty() {
            event.prevent_default();
            add_files(state, class, files);
        }
    };

    view! {
        <section
            class="panel class-card"
            class:disabled=move || !class.enabled.get()
            class:dragging=move || dragging.get()
            data-testid="class-card"
            tabindex="-1"
            aria-label=move || format!("Class {}", name())
            on:dragover=move |event: DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
            on:paste=on_paste
        >
            <div class="class-head">
                <input
                    class="class-name"
                    type="text"
                    data-testid="class-name"
                    aria-label="Class name"
                    maxlength=MAX_CLASS_NAME_CHARS.to_string()
                    prop:value=name
                    on:input=move |event| class.name.set(event_target_value(&event))
                />
                <span class="count" aria-live="polite">
                    <span data-testid="sample-count">{count}</span>
                    {move || if count() == 1 { " image" } else { " images" }}
                </span>
                <label class="toggle">
                    <input
                        type="checkbox"
                        data-testid="class-enabled"
                        prop:checked=move || class.enabled.get()
                        on:change=move |event| class.enabled.set(event_target_checked(&event))
                    />
                    " Train on it"
                </label>
                <button
                    type="button"
                    class="quiet danger"
                    data-testid="delete-class"
                    aria-label=move || format!("Delete class {}", name())
                    on:click=move |_| state.delete_class(class.id)
                >
                    "Delete"
                </button>
            </div>
            <div class="add-row">
                <label class="button">
                    "Upload images"
                    <input
                        class="visually-hidden"
                        type="file"
                        accept="image/*"
                        multiple
                        data-testid="upload-input"
                        on:change=on_pick
                    />
                </label>
                <WebcamCapture class=class />
            </div>
            <p class="hint">"…or drop image files here, or paste one (Ctrl+V) while this card has focus."</p>
            <Show when=move || class.error.with(Option::is_some)>
                <div class="error-row">
                    <p class="error" data-testid="error" role="alert">{move || class.error.get()}</p>
                    <button type="button" class="quiet" on:click=move |_| class.error.set(None)>
                        "Dismiss"
                    </button>
                </div>
            </Show>
            <ul class="thumbnails" aria-label=move || format!("Images of {}", name())>
                <For
                    each=move || class.samples.get()
                    key=|sample| sample.id
                    children=move |sample| view! { <Thumbnail class sample /> }
                />
            </ul>
        </section>
    }
}

#[component]
fn Thumbnail(class: ClassModel, sample: SampleModel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let accepted = sample.accepted;
    let label = format!("Remove {}", sample.name);
    let picture = sample.thumbnail;
    let alt = sample.name.clone();
    view! {
        <li
            class="thumbnail"
            class:pending=move || !accepted.get()
            data-testid="sample"
            data-accepted=move || accepted.get().to_string()
        >
            // An opened project's picture comes a moment after the image itself.
            <Show
                when=move || picture.with(|url| !url.is_empty())
                fallback=|| view! { <span class="no-picture" aria-hidden="true"></span> }
            >
                <img src=move || picture.get() alt=alt.clone() loading="lazy" />
            </Show>
            <button
                type="button"
                class="remove"
                data-testid="delete-sample"
                aria-label=label
                on:click=move |_| state.remove_sample(class, sample.id)
            >
                "×"
            </button>
        </li>
    }
}
