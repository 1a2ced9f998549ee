//! What the page says about the engine itself: that it stopped (with a restart button), that
//! a message could not cross, that a command was refused, and that the GPU was lost.

use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
use super::state::AppState;

/// An alert with a Dismiss button, shown while `message` holds something.
#[component]
fn DismissableAlert(message: RwSignal<Option<String>>, test_id: &'static str) -> impl IntoView {
    view! {
        <Show when=move || message.with(Option::is_some)>
            <div class="error-row">
                <p class="error" data-testid=test_id role="alert">{move || message.get()}</p>
                <button type="button" class="quiet" on:click=move |_| message.set(None)>
                    {move || td_string!(locale(), common.dismiss)}
                </button>
            </div>
        </Show>
    }
}

/// Shown at the top of the page, above the panels.
#[component]
pub fn EngineAlerts() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.fatal.with(Option::is_some)>
            <div class="error-row">
                <p class="error" data-testid="error" role="alert">{move || state.fatal.get()}</p>
                <button
                    type="button"
                    class="primary"
                    data-testid="restart-engine"
                    on:click=move |_| state.restart()
                >
                    {move || td_string!(locale(), engine.restart)}
                </button>
            </div>
        </Show>
        <DismissableAlert message=state.engine_message test_id="engine-message-error" />
        <DismissableAlert message=state.rejected test_id="command-rejected" />
    }
}

/// Under the backend's name: the GPU was lost and the engine went on on the CPU.
#[component]
pub fn DeviceNotice() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.device_notice.with(Option::is_some)>
            <p class="notice" data-testid="device-notice" role="status">
                {move || state.device_notice.get()}
            </p>
        </Show>
    }
}
