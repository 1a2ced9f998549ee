//! Training settings, the Train / Cancel buttons, progress, and the results.

use ajuste_protocol::{BACKBONE_BLOCKS, Command, TrainSettings};
use leptos::prelude::*;

use super::charts::{Curves, Results};
use super::state::{AppState, Phase};

/// Blocks unfrozen when the user picks fine-tuning without choosing how many.
const DEFAULT_FINE_TUNE_BLOCKS: usize = 2;

fn eta_text(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => "under a second left".into(),
        s if s < 90.0 => format!("about {s:.0} s left"),
        s => format!("about {:.0} min left", s / 60.0),
    }
}

#[component]
pub fn TrainingPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let depth = Memo::new(move |_| settings.with(|s| s.freeze_depth));
    let augment = Memo::new(move |_| settings.with(|s| s.augment));
    // Features depend on these two: start computing the right ones right away.
    Effect::new(move |_| {
        let command = Command::PrepareFeatures {
            freeze_depth: depth.get(),
            augment: augment.get(),
        };
        state.send(&command, None);
    });

    let training = move || state.phase.get() == Phase::Training;
    let can_train = move || matches!(state.phase.get(), Phase::Ready | Phase::Done);
    let set_depth =
        move |value: usize| settings.update(|s| s.freeze_depth = value.min(BACKBONE_BLOCKS));

    view! {
        <section class="panel training" aria-labelledby="training-title">
            <h2 id="training-title">"2. Train"</h2>
            <fieldset class="mode" disabled=training>
                <legend>"Mode"</legend>
                <label>
                    <input
                        type="radio"
                        name="mode"
                        prop:checked=move || depth.get() == 0
                        on:change=move |_| set_depth(0)
                    />
                    " Transfer learning (backbone frozen)"
                </label>
                <label>
                    <input
                        type="radio"
                        name="mode"
                        prop:checked=move || { depth.get() > 0 }
                        on:change=move |_| set_depth(DEFAULT_FINE_TUNE_BLOCKS)
                    />
                    " Fine-tuning (unfreeze the last N blocks)"
                </label>
                <label class="slider">
                    <span>"Unfrozen blocks: " <output>{move || depth.get()}</output></span>
                    <input
                        type="range"
                        min="0"
                        max=BACKBONE_BLOCKS.to_string()
                        step="1"
                        data-testid="freeze-depth"
                        aria-label="Number of unfrozen backbone blocks (0 = transfer learning)"
                        prop:value=move || depth.get().to_string()
                        on:input=move |event| {
                            if let Ok(value) = event_target_value(&event).parse() {
                                set_depth(value);
                            }
                        }
                    />
                </label>
            </fieldset>
            <fieldset class="plain" disabled=training>
                <AdvancedSettings />
            </fieldset>
            <FeatureStatus />
            <div class="train-actions">
                <button
                    type="button"
                    class="primary"
                    data-testid="train-button"
                    disabled=move || !can_train()
                    on:click=move |_| state.train()
                >
                    "Train"
                </button>
                <button
                    type="button"
                    data-testid="cancel-button"
                    disabled=move || !training()
                    on:click=move |_| state.cancel_training()
                >
                    "Cancel"
                </button>
            </div>
            <Show when=move || state.training_error.with(Option::is_some)>
                <p class="error" data-testid="error" role="alert">{move || state.training_error.get()}</p>
            </Show>
            <TrainingProgressBar />
            <Curves />
            <Results />
        </section>
    }
}

/// A number field of the advanced settings; bad input is named next to the field and
/// leaves the setting as it was.
#[component]
fn NumberSetting(
    label: &'static str,
    test_id: &'static str,
    min: &'static str,
    max: &'static str,
    step: &'static str,
    read: fn(&TrainSettings) -> String,
    write: fn(&mut TrainSettings, &str) -> Result<(), String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let error = RwSignal::new(None::<String>);
    view! {
        <label class="setting">
            <span>{label}</span>
            <input
                type="number"
                min=min
                max=max
                step=step
                data-testid=test_id
                prop:value=move || state.settings.with(read)
                on:change=move |event| {
                    let text = event_target_value(&event);
                    let mut settings = state.settings.get_untracked();
                    match write(&mut settings, text.trim()) {
                        Ok(()) => {
                            error.set(None);
                            state.settings.set(settings);
                        }
                        Err(message) => error.set(Some(message)),
                    }
                }
            />
            <Show when=move || error.with(Option::is_some)>
                <span class="error" data-testid="error" role="alert">{move || error.get()}</span>
            </Show>
        </label>
    }
}

fn parse_in<T: std::str::FromStr + PartialOrd + std::fmt::Display>(
    text: &str,
    low: T,
    high: T,
    what: &str,
) -> Result<T, String> {
    text.parse::<T>()
        .ok()
        .filter(|v| *v >= low && *v <= high)
        .ok_or_else(|| format!("{what} must be between {low} and {high}"))
}

#[component]
fn AdvancedSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    view! {
        <details class="advanced">
            <summary>"Advanced"</summary>
            <div class="settings-grid">
                <NumberSetting
                    label="Epochs" test_id="epochs" min="1" max="500" step="1"
                    read=|s| s.epochs.to_string()
                    write=|s, t| { s.epochs = parse_in(t, 1, 500, "epochs")?; Ok(()) }
                />
                <NumberSetting
                    label="Batch size" test_id="batch-size" min="1" max="256" step="1"
                    read=|s| s.batch_size.to_string()
                    write=|s, t| { s.batch_size = parse_in(t, 1, 256, "the batch size")?; Ok(()) }
                />
                <NumberSetting
                    label="Learning rate" test_id="learning-rate" min="0.00001" max="1" step="any"
                    read=|s| s.learning_rate.to_string()
                    write=|s, t| { s.learning_rate = parse_in(t, 1e-5, 1.0, "the learning rate")?; Ok(()) }
                />
                <NumberSetting
                    label="Validation share" test_id="validation-share" min="0" max="0.5" step="0.05"
                    read=|s| s.validation_share.to_string()
                    write=|s, t| { s.validation_share = parse_in(t, 0.0, 0.5, "the validation share")?; Ok(()) }
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
                    " Augmentation (crops, flips, colour changes; 5× the feature work)"
                </label>
            </div>
        </details>
    }
}

/// How far the background feature extraction is: Train is quick once it is done.
#[component]
fn FeatureStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let features = state.features;
    view! {
        <p
            class="features"
            data-testid="features"
            data-ready=move || features.get().0
            data-wanted=move || features.get().1
            aria-live="polite"
        >
            {move || match features.get() {
                (_, 0) => "Add images: their features are computed as they arrive.".to_string(),
                (ready, wanted) if ready == wanted => format!("Image features ready ({wanted})."),
                (ready, wanted) => format!("Computing image features: {ready} / {wanted}…"),
            }}
        </p>
    }
}

#[component]
fn TrainingProgressBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let progress = state.progress;
    let fraction = move || {
        if state.phase.get() == Phase::Done {
            return 1.0;
        }
        progress.with(|p| {
            p.as_ref()
                .map_or(0.0, |p| p.steps_done as f64 / p.total_steps.max(1) as f64)
        })
    };
    let text = move || {
        let phase = state.phase.get();
        match (phase, progress.get()) {
            (Phase::Training, None) if state.preparing.get() > 0 => {
                "Computing the features of the remaining images…".to_string()
            }
            (Phase::Training, None) => "Starting…".to_string(),
            (Phase::Training, Some(p)) => format!(
                "Epoch {}/{} · step {}/{} · {}",
                p.epoch,
                p.epochs,
                p.step,
                p.steps_per_epoch,
                p.eta_seconds.map(eta_text).unwrap_or_default()
            ),
            (Phase::Done, _) => state.report.with(|r| {
                r.as_ref().map_or(String::new(), |r| {
                    let verb = if r.cancelled { "Stopped" } else { "Trained" };
                    format!("{verb} in {:.1} s.", r.seconds)
                })
            }),
            _ => String::new(),
        }
    };
    view! {
        <div class="progress-row" aria-live="polite">
            <progress data-testid="train-progress" max="1" value=fraction aria-label="Training progress"></progress>
            <span class="progress-text">{text}</span>
        </div>
    }
}
