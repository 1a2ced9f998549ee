//! The training panel: mode (transfer learning or fine-tuning) with when to pick which, the
//! network diagram that shows what the choice trains, the settings, Train and Cancel,
//! progress, the results and the table of runs. A widget may lock or hide its controls.

use ajuste_protocol::limits::MAX_FREEZE_DEPTH;
use ajuste_protocol::widget::Control;
use ajuste_protocol::widget::hash::DEFAULT_FINE_TUNE_BLOCKS;
use ajuste_protocol::{Command, FINE_TUNING_FROM_IMAGES, Suggestion, TrainSettings};
use leptos::prelude::*;

use super::charts::{Curves, Results};
use super::diagram::NetworkDiagram;
use super::embed::Widget;
use super::i18n::td_string;
use super::language::locale;
use super::memory_plan::MemoryPlanLine;
use super::progress::{FeatureStatus, TrainingProgressBar};
use super::runs::RunHistory;
use super::settings::{AdvancedSettings, EpochsSetting};
use super::state::{AppState, Phase};

/// When to pick which mode, in plain words, next to the choice; and the mode the recipe
/// suggests for the images the smallest enabled class has.
#[component]
fn ModeHelp() -> impl IntoView {
    let state = expect_context::<AppState>();
    let smallest = Memo::new(move |_| smallest_class(&state));
    let suggestion = move || Suggestion::for_images(smallest.get());
    view! {
        <p class="hint mode-help" data-testid="mode-help">{move || td_string!(locale(), train.mode_help)}</p>
        <p
            class="hint mode-suggestion"
            data-testid="mode-suggestion"
            data-depth=move || suggestion().freeze_depth()
        >
            {move || mode_suggestion(smallest.get(), suggestion())}
        </p>
    }
}

/// For the images in the smallest class and the mode the recipe suggests for them.
fn mode_suggestion(images: usize, suggestion: Suggestion) -> String {
    let threshold = FINE_TUNING_FROM_IMAGES;
    match suggestion {
        Suggestion::TransferLearning => {
            td_string!(locale(), train.suggest_transfer, images, threshold).to_string()
        }
        Suggestion::FineTuning { freeze_depth } => td_string!(
            locale(),
            train.suggest_fine_tuning,
            images,
            threshold,
            depth = freeze_depth
        )
        .to_string(),
    }
}

/// Images in the smallest class that trains (0 before any).
fn smallest_class(state: &AppState) -> usize {
    state.classes.with(|classes| {
        (classes.iter())
            .filter(|class| class.enabled.get())
            .map(|class| class.samples.with(Vec::len))
            .min()
            .unwrap_or(0)
    })
}

/// Switching mode: the epochs follow the recipe of the new mode (60 for the head alone, 20
/// when blocks train too) unless the user chose another number, or a widget locks it.
/// The blocks "fine-tuning" unfreezes: what the recipe suggests for the images there are, or,
/// where it suggests transfer learning, the widget's default.
fn fine_tuning_depth(state: &AppState) -> usize {
    match Suggestion::for_images(untrack(|| smallest_class(state))).freeze_depth() {
        0 => DEFAULT_FINE_TUNE_BLOCKS,
        suggested => suggested,
    }
}

fn switch_mode(state: &AppState, widget: &Widget, freeze_depth: usize) {
    let images = untrack(|| smallest_class(state));
    let epochs_locked = widget.locked(Control::Epochs);
    state.settings.update(|settings| {
        let before = TrainSettings::recommended(images, settings.freeze_depth).epochs;
        if settings.epochs == before && !epochs_locked {
            settings.epochs = TrainSettings::recommended(images, freeze_depth).epochs;
        }
        settings.freeze_depth = freeze_depth.min(MAX_FREEZE_DEPTH);
    });
}

#[component]
pub fn TrainingPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let widget = expect_context::<Widget>();
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
    let mode_locked = move || widget.locked(Control::Mode);
    let depth_locked = move || widget.locked(Control::Depth);

    view! {
        <section class="panel training" aria-labelledby="training-title">
            <h2 id="training-title">{move || td_string!(locale(), train.title)}</h2>
            <fieldset class="mode" disabled=training>
                <legend>{move || td_string!(locale(), train.mode)}</legend>
                <Show when=move || widget.shows(Control::Mode)>
                    <label>
                        <input
                            type="radio"
                            name="mode"
                            data-testid="mode-transfer"
                            disabled=mode_locked
                            prop:checked=move || depth.get() == 0
                            on:change=move |_| switch_mode(&state, &widget, 0)
                        />
                        {move || td_string!(locale(), train.transfer_learning)}
                    </label>
                    <label>
                        <input
                            type="radio"
                            name="mode"
                            data-testid="mode-finetune"
                            disabled=mode_locked
                            prop:checked=move || { depth.get() > 0 }
                            on:change=move |_| switch_mode(&state, &widget, fine_tuning_depth(&state))
                        />
                        {move || td_string!(locale(), train.fine_tuning)}
                    </label>
                    <ModeHelp />
                </Show>
                <Show when=move || widget.shows(Control::Depth)>
                    <label class="slider">
                        <span>{move || td_string!(locale(), train.unfrozen_blocks)} <output>{move || depth.get()}</output></span>
                        <input
                            type="range"
                            min="0"
                            max=MAX_FREEZE_DEPTH.to_string()
                            step="1"
                            data-testid="freeze-depth"
                            disabled=depth_locked
                            aria-label=move || td_string!(locale(), train.depth_aria)
                            prop:value=move || depth.get().to_string()
                            on:input=move |event| {
                                if let Ok(value) = event_target_value(&event).parse() {
                                    set_depth(value);
                                }
                            }
                        />
                    </label>
                </Show>
                <Show when=move || widget.shows(Control::Epochs)>
                    <EpochsSetting locked=Signal::derive(move || widget.locked(Control::Epochs)) />
                </Show>
            </fieldset>
            <Show when=move || widget.shows(Control::Diagram)>
                <NetworkDiagram />
            </Show>
            <Show when=move || widget.shows(Control::Advanced)>
                <fieldset class="plain" disabled=move || training() || widget.locked(Control::Advanced)>
                    <AdvancedSettings />
                </fieldset>
            </Show>
            <FeatureStatus />
            <MemoryPlanLine />
            <div class="train-actions">
                <button
                    type="button"
                    class="primary"
                    data-testid="train-button"
                    disabled=move || !can_train()
                    on:click=move |_| state.train()
                >
                    {move || td_string!(locale(), train.train)}
                </button>
                <button
                    type="button"
                    data-testid="cancel-button"
                    disabled=move || !training()
                    on:click=move |_| state.cancel_training()
                >
                    {move || td_string!(locale(), common.cancel)}
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
            <Show when=move || widget.shows(Control::History)>
                <RunHistory />
            </Show>
        </section>
    }
}
