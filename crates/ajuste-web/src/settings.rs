//! The advanced training settings. Each field is checked against the limits the engine
//! applies (`TrainSettings::validate`): text that fails is named next to its field, leaves
//! the setting as it was, and keeps Train from sending until it is fixed.

use ajuste_protocol::TrainSettings;
use ajuste_protocol::limits::{
    MAX_BATCH_SIZE, MAX_EPOCHS, MAX_LEARNING_RATE, MAX_VALIDATION_SHARE,
};
use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::state::AppState;

type Write = fn(&mut TrainSettings, &str) -> Result<(), String>;

/// A whole-number field; text that is not one is refused by name.
fn whole(text: &str, what: &str) -> Result<usize, String> {
    text.parse().map_err(|_| messages::not_a_whole_number(what))
}

/// A real-number field; text that is not one becomes NaN, which the limits refuse.
fn real(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

/// The settings with `text` written into one field, if they pass the engine's checks.
fn candidate(state: AppState, write: Write, text: &str) -> Result<TrainSettings, String> {
    let mut settings = state.settings.get_untracked();
    write(&mut settings, text)?;
    settings
        .validate()
        .map_err(|invalid| messages::invalid(&invalid))?;
    Ok(settings)
}

fn set_field_error(state: AppState, field: &'static str, error: Option<String>) {
    state.setting_errors.update(|errors| {
        errors.retain(|(id, _)| *id != field);
        if let Some(message) = error {
            errors.push((field, message));
        }
    });
}

#[component]
fn NumberSetting(
    label: fn() -> &'static str,
    test_id: &'static str,
    min: String,
    max: String,
    step: &'static str,
    read: fn(&TrainSettings) -> String,
    write: Write,
    /// Shown, not changeable (a widget's `lock`).
    #[prop(optional, into)]
    locked: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Only this field's own value rewrites its text (not another field's change).
    let value = Memo::new(move |_| state.settings.with(read));
    let error = move || {
        state.setting_errors.with(|errors| {
            errors
                .iter()
                .find(|(id, _)| *id == test_id)
                .map(|(_, message)| message.clone())
        })
    };
    view! {
        <label class="setting">
            <span>{move || label()}</span>
            <input
                type="number"
                min=min
                max=max
                step=step
                data-testid=test_id
                disabled=move || locked.get()
                aria-invalid=move || error().is_some().to_string()
                prop:value=value
                on:change=move |event| {
                    let text = event_target_value(&event);
                    match candidate(state, write, text.trim()) {
                        Ok(settings) => {
                            set_field_error(state, test_id, None);
                            state.settings.set(settings);
                        }
                        Err(message) => set_field_error(state, test_id, Some(message)),
                    }
                }
            />
            <Show when=move || error().is_some()>
                <span class="error" data-testid="error" role="alert">{error}</span>
            </Show>
        </label>
    }
}

/// The number of epochs, beside the mode (a widget may lock it).
#[component]
pub fn EpochsSetting(#[prop(into)] locked: Signal<bool>) -> impl IntoView {
    view! {
        <NumberSetting
            label=|| td_string!(locale(), train.epochs) test_id="epochs"
            min="1".to_string() max=MAX_EPOCHS.to_string() step="1"
            read=|s| s.epochs.to_string()
            write=|s, t| { s.epochs = whole(t, td_string!(locale(), train.epochs))?; Ok(()) }
            locked
        />
    }
}

#[component]
pub fn AdvancedSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    view! {
        <details class="advanced">
            <summary>{move || td_string!(locale(), train.advanced)}</summary>
            <div class="settings-grid">
                <NumberSetting
                    label=|| td_string!(locale(), train.batch_size) test_id="batch-size"
                    min="1".to_string() max=MAX_BATCH_SIZE.to_string() step="1"
                    read=|s| s.batch_size.to_string()
                    write=|s, t| { s.batch_size = whole(t, td_string!(locale(), train.batch_size))?; Ok(()) }
                />
                <NumberSetting
                    label=|| td_string!(locale(), train.learning_rate) test_id="learning-rate"
                    min="0".to_string() max=MAX_LEARNING_RATE.to_string() step="any"
                    read=|s| s.learning_rate.to_string()
                    write=|s, t| { s.learning_rate = real(t); Ok(()) }
                />
                <NumberSetting
                    label=|| td_string!(locale(), train.validation_share) test_id="validation-share"
                    min="0".to_string() max=MAX_VALIDATION_SHARE.to_string() step="0.05"
                    read=|s| s.validation_share.to_string()
                    write=|s, t| { s.validation_share = real(t); Ok(()) }
                />
                <label class="setting toggle">
                    <input
                        type="checkbox"
                        data-testid="augment"
                        prop:checked=move || settings.with(|s| s.augment)
                        on:change=move |event| {
                            let on = event_target_checked(&event);
                            settings.update(|s| s.augment = on);
                        }
                    />
                    {move || td_string!(locale(), train.augmentation)}
                </label>
            </div>
        </details>
    }
}
