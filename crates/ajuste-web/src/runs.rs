//! Every training run of this visit, in a small table (`run-history`, one row a run), so that
//! transfer learning and fine-tuning can be compared on the same images; and the one-line
//! reading of a run's result.

use ajuste_protocol::widget::WidgetEvent;
use ajuste_protocol::widget::api::ClassAccuracy;
use ajuste_protocol::{EpochMetrics, EvaluatedOn, TrainingReport};
use leptos::prelude::*;

use super::i18n::td_string;
use super::language::locale;
use super::state::AppState;

#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub number: usize,
    pub freeze_depth: usize,
    pub epochs_run: usize,
    pub images: usize,
    pub train_accuracy: Option<f32>,
    pub validation_accuracy: Option<f32>,
    pub seconds: f64,
}

impl RunRecord {
    pub fn seconds_per_epoch(&self) -> Option<f64> {
        (self.epochs_run > 0).then(|| self.seconds / self.epochs_run as f64)
    }
}

/// What a run's result means, in one line (`result-reading`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// No images were held out: the accuracy says little.
    NoValidation,
    /// Far better on its own images than on new ones.
    Overfitting,
    /// Wrong even on its own images.
    Underfitting,
    Good,
    Fair,
}

impl Reading {
    /// From the accuracies of the kept epoch.
    pub fn of(train: Option<f32>, validation: Option<f32>, evaluated_on: EvaluatedOn) -> Self {
        let train = train.unwrap_or(0.0);
        match (evaluated_on, validation) {
            (EvaluatedOn::Training, _) | (_, None) => Self::NoValidation,
            (_, Some(validation)) if train - validation > 0.15 => Self::Overfitting,
            _ if train < 0.7 => Self::Underfitting,
            (_, Some(validation)) if validation >= 0.9 => Self::Good,
            _ => Self::Fair,
        }
    }

    /// The reading of a report, from the curves that led to it.
    pub fn of_report(history: &[EpochMetrics], report: &TrainingReport) -> Self {
        let kept = kept_epoch(history, report);
        Self::of(
            kept.map(|m| m.train_accuracy),
            kept.and_then(|m| m.validation_accuracy),
            report.evaluated_on,
        )
    }

    pub fn text(self) -> &'static str {
        let locale = locale();
        match self {
            Self::NoValidation => td_string!(locale, results.reading_no_validation),
            Self::Overfitting => td_string!(locale, results.reading_overfitting),
            Self::Underfitting => td_string!(locale, results.reading_underfitting),
            Self::Good => td_string!(locale, results.reading_good),
            Self::Fair => td_string!(locale, results.reading_fair),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::NoValidation => "no-validation",
            Self::Overfitting => "overfitting",
            Self::Underfitting => "underfitting",
            Self::Good => "good",
            Self::Fair => "fair",
        }
    }
}

/// The metrics of the epoch whose classifier was kept (the best one), else the last.
fn kept_epoch<'a>(
    history: &'a [EpochMetrics],
    report: &TrainingReport,
) -> Option<&'a EpochMetrics> {
    report
        .best_epoch
        .and_then(|best| history.iter().find(|m| m.epoch == best))
        .or(history.last())
}

impl AppState {
    /// A run ended with a classifier: it joins the table, and the parent page hears of it.
    pub(super) fn record_run(&self, report: &TrainingReport) {
        let kept = self
            .history
            .with_untracked(|h| kept_epoch(h, report).cloned());
        let images = self.classes.with_untracked(|classes| {
            classes
                .iter()
                .filter(|c| c.enabled.get_untracked())
                .map(|c| c.samples.with_untracked(Vec::len))
                .sum()
        });
        let freeze_depth = self.settings.with_untracked(|s| s.freeze_depth);
        let record = RunRecord {
            number: self.runs.with_untracked(Vec::len) + 1,
            freeze_depth,
            epochs_run: report.epochs_run,
            images,
            train_accuracy: kept.as_ref().map(|m| m.train_accuracy),
            validation_accuracy: kept.as_ref().and_then(|m| m.validation_accuracy),
            seconds: report.seconds,
        };
        super::widget_api::emit(WidgetEvent::Trained {
            mode: if freeze_depth == 0 {
                "transfer"
            } else {
                "finetune"
            }
            .into(),
            depth: freeze_depth,
            epochs: report.epochs_run,
            seconds: report.seconds,
            cancelled: report.cancelled,
            train_accuracy: record.train_accuracy,
            validation_accuracy: record.validation_accuracy,
            evaluated_on: match report.evaluated_on {
                EvaluatedOn::Validation => "validation",
                EvaluatedOn::Training => "training",
            }
            .into(),
            per_class_accuracy: report
                .classes
                .iter()
                .zip(&report.per_class_accuracy)
                .map(|(name, &accuracy)| ClassAccuracy {
                    name: name.clone(),
                    accuracy,
                })
                .collect(),
        });
        self.runs.update(|runs| runs.push(record));
    }
}

fn percent(value: Option<f32>) -> String {
    value.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

#[component]
pub fn RunHistory() -> impl IntoView {
    let runs = expect_context::<AppState>().runs;
    view! {
        <Show when=move || runs.with(|r| !r.is_empty())>
            // Focusable: it scrolls sideways on narrow screens.
            <div class="run-history" tabindex="0" role="region" aria-label=move || td_string!(locale(), runs.title)>
                <table>
                    <caption>{move || td_string!(locale(), runs.title)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{move || td_string!(locale(), runs.mode)}</th>
                            <th scope="col">{move || td_string!(locale(), runs.epochs)}</th>
                            <th scope="col">{move || td_string!(locale(), runs.images)}</th>
                            <th scope="col">{move || td_string!(locale(), runs.train)}</th>
                            <th scope="col">{move || td_string!(locale(), runs.validation)}</th>
                            <th scope="col">{move || td_string!(locale(), runs.time)}</th>
                        </tr>
                    </thead>
                    <tbody data-testid="run-history">
                        <For
                            each=move || runs.get()
                            key=|run| run.number
                            children=move |run| {
                                let depth = run.freeze_depth;
                                view! {
                                    <tr data-depth=depth>
                                        <td>{run.number}</td>
                                        <td>{move || mode_short(depth)}</td>
                                        <td>{run.epochs_run}</td>
                                        <td>{run.images}</td>
                                        <td>{percent(run.train_accuracy)}</td>
                                        <td>{percent(run.validation_accuracy)}</td>
                                        <td>{format!("{:.1} s", run.seconds)}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

/// The mode of a run, in a table cell.
fn mode_short(depth: usize) -> String {
    if depth == 0 {
        td_string!(locale(), runs.transfer).to_string()
    } else {
        td_string!(locale(), runs.fine_tune, depth).to_string()
    }
}
