//! How far things are: the background feature extraction, and the training run.

use leptos::prelude::*;

use super::i18n::tr;
use super::state::{AppState, Phase};

/// How far the background feature extraction is: Train is quick once it is done.
#[component]
pub fn FeatureStatus() -> impl IntoView {
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
                (_, 0) => tr().features_none.to_string(),
                (ready, wanted) if ready == wanted => (tr().features_ready)(wanted),
                (ready, wanted) => (tr().features_computing)(ready, wanted),
            }}
        </p>
        <Show when=move || state.features_error.with(Option::is_some)>
            <p class="error" data-testid="features-error" role="alert">
                {move || state.features_error.get()}
            </p>
        </Show>
    }
}

#[component]
pub fn TrainingProgressBar() -> impl IntoView {
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
                tr().computing_remaining.to_string()
            }
            (Phase::Training, None) => tr().starting.to_string(),
            (Phase::Training, Some(p)) => format!(
                "{} · {}",
                (tr().epoch_step)(p.epoch, p.epochs, p.step, p.steps_per_epoch),
                p.eta_seconds.map(tr().eta).unwrap_or_default()
            ),
            (Phase::Done, _) => state.report.with(|r| {
                r.as_ref().map_or(String::new(), |r| {
                    let said = if r.cancelled {
                        tr().stopped_in
                    } else {
                        tr().trained_in
                    };
                    said(r.seconds)
                })
            }),
            _ => String::new(),
        }
    };
    view! {
        <div class="progress-row" aria-live="polite">
            <progress
                data-testid="train-progress"
                data-steps-done=move || progress.with(|p| p.as_ref().map_or(0, |p| p.steps_done))
                data-total-steps=move || progress.with(|p| p.as_ref().map_or(0, |p| p.total_steps))
                max="1"
                value=fraction
                aria-label=move || tr().training_progress
            ></progress>
            <span class="progress-text">{text}</span>
        </div>
    }
}
