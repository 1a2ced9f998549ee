//! The list of classes, the button that adds one, and the undo of a deletion.

use leptos::prelude::*;

use super::class_card::ClassCard;
use super::state::AppState;

#[component]
pub fn Classes() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="classes" aria-labelledby="classes-title">
            <h2 id="classes-title">"1. Classes"</h2>
            <Show when=move || state.deleted.with(Option::is_some)>
                <p class="undo" role="status">
                    {move || {
                        state
                            .deleted
                            .get()
                            .map(|d| format!("Deleted \"{}\". ", d.class.name.get_untracked()))
                    }}
                    <button type="button" data-testid="undo-delete" on:click=move |_| state.undo_delete()>
                        "Undo"
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
                on:click=move |_| state.add_class()
            >
                "+ Add a class"
            </button>
        </section>
    }
}
