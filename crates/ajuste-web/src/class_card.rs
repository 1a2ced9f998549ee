//! One class: its name (editable in place), whether it trains, its images, and every way of
//! adding more (file picker, drag and drop, paste, webcam).

use ajuste_protocol::limits::MAX_CLASS_NAME_CHARS;
use ajuste_protocol::widget::Control;
use leptos::prelude::*;
use web_sys::{DragEvent, HtmlInputElement};

use super::capture::WebcamCapture;
use super::embed::Widget;
use super::files::{add_files, files_of};
use super::i18n::td_string;
use super::import_panel::took_folder;
use super::language::locale;
use super::state::{AppState, ClassModel, SampleModel};

#[component]
pub fn ClassCard(class: ClassModel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
    let locked = move || widget.locked(Control::Classes);
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
        let Some(transfer) = event.data_transfer() else {
            return;
        };
        // A folder of classes goes to its classes, whichever card it lands on.
        if !took_folder(state, &transfer) {
            add_files(state, class, files_of(transfer.files()));
        }
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
            aria-label=move || td_string!(locale(), classes.label, name = name())
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
                    aria-label=move || td_string!(locale(), classes.name)
                    maxlength=MAX_CLASS_NAME_CHARS.to_string()
                    readonly=locked
                    prop:value=name
                    on:input=move |event| class.name.set(event_target_value(&event))
                />
                <span class="count" aria-live="polite">
                    <span data-testid="sample-count">{count}</span>
                    {move || {
                        if count() == 1 {
                            td_string!(locale(), classes.image_word)
                        } else {
                            td_string!(locale(), classes.images_word)
                        }
                    }}
                </span>
                <label class="toggle">
                    <input
                        type="checkbox"
                        data-testid="class-enabled"
                        disabled=locked
                        prop:checked=move || class.enabled.get()
                        on:change=move |event| class.enabled.set(event_target_checked(&event))
                    />
                    {move || td_string!(locale(), classes.train_on_it)}
                </label>
                <button
                    type="button"
                    class="quiet danger"
                    data-testid="delete-class"
                    disabled=locked
                    aria-label=move || td_string!(locale(), classes.delete_label, name = name())
                    on:click=move |_| state.delete_class(class.id)
                >
                    {move || td_string!(locale(), classes.delete)}
                </button>
            </div>
            <div class="add-row">
                <Show when=move || widget.shows(Control::Upload)>
                    <label class="button">
                        {move || td_string!(locale(), classes.upload)}
                        <input
                            class="visually-hidden"
                            type="file"
                            accept="image/*"
                            multiple
                            data-testid="upload-input"
                            on:change=on_pick
                        />
                    </label>
                </Show>
                <Show when=move || widget.shows(Control::Webcam)>
                    <WebcamCapture class=class />
                </Show>
            </div>
            <p class="hint">{move || td_string!(locale(), classes.drop_hint)}</p>
            <Show when=move || class.error.with(Option::is_some)>
                <div class="error-row">
                    <p class="error" data-testid="error" role="alert">{move || class.error.get()}</p>
                    <button type="button" class="quiet" on:click=move |_| class.error.set(None)>
                        {move || td_string!(locale(), common.dismiss)}
                    </button>
                </div>
            </Show>
            <ul class="thumbnails" aria-label=move || td_string!(locale(), classes.images_of, name = name())>
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
    let label = td_string!(locale(), classes.remove_image, name = &sample.name);
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
