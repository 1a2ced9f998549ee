//! The list of classes, the button that adds one, and the undo of a deletion.

use ajuste_protocol::widget::Control;
use leptos::prelude::*;

use super::class_card::ClassCard;
use super::embed::Widget;
use super::i18n::td_string;
use super::import_panel::FolderImport;
use super::language::locale;
use super::state::AppState;

#[component]
pub fn Classes() -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
    view! {
        <section class="classes" aria-labelledby="classes-title">
            <h2 id="classes-title">{move || td_string!(locale(), classes.title)}</h2>
            <FolderImport />
            <Show when=move || state.deleted.with(Option::is_some)>
                <p class="undo" role="status">
                    {move || {
                        state
                            .deleted
                            .get()
                            .map(|d| td_string!(locale(), classes.deleted, name = d.class.name.get_untracked()))
                    }}
                    <button type="button" data-testid="undo-delete" on:click=move |_| state.undo_delete()>
                        {move || td_string!(locale(), classes.undo)}
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
                {move || td_string!(locale(), classes.add)}
            </button>
        </section>
    }
}
