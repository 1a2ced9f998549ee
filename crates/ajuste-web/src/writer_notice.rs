//! What a tab that does not write the project says (`writer.rs`): it is open in another tab,
//! or another tab took it over; with "Take over here" and "Stay read-only".

use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
use super::writer::{Role, Writer};

#[component]
pub fn WriterNotice() -> impl IntoView {
    let writer = expect_context::<Writer>();
    let role = writer.role;
    let shown = move || {
        matches!(role.get(), Role::OpenElsewhere | Role::TakenOver) && !writer.offer_dismissed.get()
    };
    view! {
        <Show when=shown>
            <div
                class="notice"
                data-testid="writer-notice"
                data-role=move || role.get().name()
                data-newer=move || writer.newer_elsewhere.get().to_string()
                role="alert"
            >
                <p>
                    {move || match role.get() {
                        Role::TakenOver => td_string!(locale(), storage.taken_over).to_string(),
                        _ => td_string!(locale(), storage.open_elsewhere).to_string(),
                    }}
                </p>
                <Show when=move || writer.newer_elsewhere.get()>
                    <p>{move || td_string!(locale(), storage.newer_elsewhere)}</p>
                </Show>
                <div class="add-row">
                    <button type="button" data-testid="take-over" on:click=move |_| writer.take_over()>
                        {move || td_string!(locale(), storage.take_over)}
                    </button>
                    <button
                        type="button"
                        class="quiet"
                        data-testid="stay-read-only"
                        on:click=move |_| writer.offer_dismissed.set(true)
                    >
                        {move || td_string!(locale(), storage.stay_read_only)}
                    </button>
                </div>
            </div>
        </Show>
    }
}
