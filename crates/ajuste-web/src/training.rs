//! The training panel: mode (transfer learning or fine-tuning), the settings, Train and
//! Cancel, progress, and the results.

use ajuste_protocol::Command;
use ajuste_protocol::limits::MAX_FREEZE_DEPTH;
use leptos::prelude::*;

use super::charts::{Curves, Results};
use super::progress::{FeatureStatus, TrainingProgressBar};
use super::settings::AdvancedSettings;
use super::state::{AppState, Phase};

/// Blocks unfrozen when the user picks fine-tuning without choosing how many.
const DEFAULT_FINE_TUNE_BLOCKS: usize = 2;

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
        move |value: usize| settings.update(|s| s.freeze_depth = value.min(MAX_FREEZE_DEPTH));

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
                        max=MAX_FREEZE_DEPTH.to_string()
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
                <p class="error" id="training-error" data-testid="error" role="alert">
                    {move || state.training_error.get()}
                </p>
            </Show>
            <TrainingProgressBar />
            <Curves />
            <Results />
        </section>
    }
}
