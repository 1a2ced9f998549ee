//! The list of classes, the button that adds one, and the undo of a deletion.

use ajuste_protocol::widget::Control;
use leptos::prelude::*;

use super::class_card::ClassCard;
use super::embed::Widget;
use super::i18n::tr;
use super::import_panel::FolderImport;
use super::state::AppState;

#[component]
pub fn Classes() -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
    view! {
        <section class="classes" aria-labelledby="classes-title">
            <h2 id="classes-title">{move || tr().classes_title}</h2>
            <FolderImport />
            <Show when=move || state.deleted.with(Option::is_some)>
                <p class="undo" role="status">
                    {move || {
                        state
                            .deleted
                            .get()
                            .map(|d| (tr().deleted_class)(&d.class.name.get_untracked()))
                    }}
                    <button type="button" data-testid="undo-delete" on:click=move |_| state.undo_delete()>
                        {move || tr().undo}
                    </button>
                </p>
            </Show>
            <For
                each=move || state.classes.get()
                key=|class| class.id
                children=move |class| view! { <ClassCard class /> }
            />
            <button
                type="button"
                class="add-class"
                data-testid="add-class"
                disabled=move || widget.locked(Control::Classes)
                on:click=move |_| state.add_class()
            >
                {move || tr().add_class}
            </button>
        </section>
    }
}
