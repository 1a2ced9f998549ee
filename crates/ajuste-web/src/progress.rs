//! How far things are: the background feature extraction, and the training run.

use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
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
                (_, 0) => td_string!(locale(), progress.features_none).to_string(),
                (ready, wanted) if ready == wanted => {
                    td_string!(locale(), progress.features_ready, n = wanted).to_string()
                }
                (ready, wanted) => features_computing(state, ready, wanted),
            }}
        </p>
        <Show when=move || state.features_error.with(Option::is_some)>
            <p class="error" data-testid="features-error" role="alert">
                {move || state.features_error.get()}
            </p>
        </Show>
    }
}

/// "Computing image features: 120 / 1000", with the pace and the time left once known.
pub fn features_computing(state: AppState, ready: usize, wanted: usize) -> String {
    let counted = td_string!(locale(), progress.features_computing, ready, wanted).to_string();
    state.feature_throughput.with(|throughput| {
        match (throughput.per_second(), throughput.seconds_left()) {
            (Some(rate), Some(left)) => {
                let rate = format!("{rate:.1}");
                let pace = td_string!(locale(), progress.features_rate, rate);
                format!("{counted} · {pace} · {}", eta(left))
            }
            _ => counted,
        }
    })
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
                td_string!(locale(), progress.computing_remaining).to_string()
            }
            (Phase::Training, None) => td_string!(locale(), progress.starting).to_string(),
            (Phase::Training, Some(p)) => format!(
                "{} · {}",
                td_string!(
                    locale(),
                    progress.epoch_step,
                    epoch = p.epoch,
                    epochs = p.epochs,
                    step = p.step,
                    steps = p.steps_per_epoch
                ),
                p.eta_seconds.map(eta).unwrap_or_default()
            ),
            (Phase::Done, _) => state.report.with(|r| {
                r.as_ref().map_or(String::new(), |r| {
                    let seconds = format!("{:.1}", r.seconds);
                    if r.cancelled {
                        td_string!(locale(), progress.stopped_in, seconds).to_string()
                    } else {
                        td_string!(locale(), progress.trained_in, seconds).to_string()
                    }
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
                aria-label=move || td_string!(locale(), progress.aria)
            ></progress>
            <span class="progress-text">{text}</span>
        </div>
    }
}

/// The time left, rounded to what is worth reading.
fn eta(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => td_string!(locale(), progress.eta_under_a_second).to_string(),
        s if s < 90.0 => {
            td_string!(locale(), progress.eta_seconds, seconds = format!("{s:.0}")).to_string()
        }
        s => td_string!(
            locale(),
            progress.eta_minutes,
            minutes = format!("{:.0}", s / 60.0)
        )
        .to_string(),
    }
}
