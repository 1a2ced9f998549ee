//! Pictures of training: loss and accuracy curves (train vs validation) as inline SVG, then
//! the results: a one-line reading, per-class accuracy and the confusion matrix as a table
//! (compact and legible from 320 px: no rotated labels, no reserved band above it).

use ajuste_protocol::EpochMetrics;
use ajuste_protocol::{EvaluatedOn, TrainingReport};
use leptos::prelude::*;

use super::cell_samples::{CellCount, CellSamples};
use super::i18n::td_string;
use super::language::locale;
use super::messages;
use super::runs::Reading;
use super::state::AppState;

const WIDTH: f32 = 320.0;
const HEIGHT: f32 = 150.0;
const MARGIN: f32 = 26.0;

#[derive(Clone, PartialEq)]
struct Series {
    name: &'static str,
    class: &'static str,
    points: Vec<(f32, f32)>,
}

fn series(
    history: &[EpochMetrics],
    name: &'static str,
    class: &'static str,
    pick: fn(&EpochMetrics) -> Option<f32>,
) -> Series {
    Series {
        name,
        class,
        points: history
            .iter()
            .filter_map(|m| Some((m.epoch as f32, pick(m)?)))
            .collect(),
    }
}

/// SVG `points` for values in `0..=x_max` × `0..=y_max`.
fn polyline(points: &[(f32, f32)], x_max: f32, y_max: f32) -> String {
    let plot_w = WIDTH - 2.0 * MARGIN;
    let plot_h = HEIGHT - 2.0 * MARGIN;
    points
        .iter()
        .map(|&(x, y)| {
            let px = MARGIN + plot_w * x / x_max.max(1.0);
            let py = HEIGHT - MARGIN - plot_h * (y / y_max).clamp(0.0, 1.0);
            format!("{px:.1},{py:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
fn LineChart(
    title: fn() -> &'static str,
    #[prop(into)] lines: Signal<Vec<Series>>,
    /// `None`: the largest value.
    y_max: Option<f32>,
) -> impl IntoView {
    let x_max = move || {
        lines.with(|l| {
            l.iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .fold(1.0, f32::max)
        })
    };
    let top = move || {
        y_max.unwrap_or_else(|| {
            lines.with(|l| {
                l.iter()
                    .flat_map(|s| s.points.iter().map(|p| p.1))
                    .fold(0.1, f32::max)
            })
        })
    };
    let summary = move || {
        lines.with(|l| {
            l.iter()
                .filter_map(|s| {
                    let name = if s.name == "train" {
                        td_string!(locale(), results.train_key)
                    } else {
                        td_string!(locale(), results.validation_key)
                    };
                    s.points.last().map(|p| format!("{name} {:.3}", p.1))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    let plot_bottom = HEIGHT - MARGIN;
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=move || format!("{}: {}", title(), summary())
            >
                <line class="axis" x1=MARGIN y1=plot_bottom x2=WIDTH - MARGIN y2=plot_bottom />
                <line class="axis" x1=MARGIN y1=MARGIN x2=MARGIN y2=plot_bottom />
                <text class="tick" x=2 y=MARGIN + 4.0>{move || format!("{:.2}", top())}</text>
                <text class="tick" x=2 y=plot_bottom>"0"</text>
                <text class="tick end" x=WIDTH - 4.0 y=HEIGHT - 6.0>
                    {move || td_string!(locale(), results.epoch_n, n = x_max() as usize)}
                </text>
                <For
                    each=move || lines.get()
                    key=|s| s.name
                    children=move |s: Series| {
                        let name = s.name;
                        view! {
                            <polyline
                                class=s.class
                                points=move || {
                                    lines.with(|l| {
                                        l.iter()
                                            .find(|s| s.name == name)
                                            .map(|s| polyline(&s.points, x_max(), top()))
                                            .unwrap_or_default()
                                    })
                                }
                            />
                        }
                    }
                />
            </svg>
        </figure>
    }
}

#[component]
pub fn Curves() -> impl IntoView {
    let history = expect_context::<AppState>().history;
    let loss = Signal::derive(move || {
        history.with(|h| {
            vec![
                series(h, "train", "train", |m| Some(m.train_loss)),
                series(h, "validation", "validation", |m| m.validation_loss),
            ]
        })
    });
    let accuracy = Signal::derive(move || {
        history.with(|h| {
            vec![
                series(h, "train", "train", |m| Some(m.train_accuracy)),
                series(h, "validation", "validation", |m| m.validation_accuracy),
            ]
        })
    });
    view! {
        <div class="charts" class:empty=move || history.with(Vec::is_empty) data-testid="curves">
            <LineChart title=|| td_string!(locale(), results.loss) lines=loss y_max=None />
            <LineChart title=|| td_string!(locale(), results.accuracy) lines=accuracy y_max=Some(1.0) />
            <p class="legend">
                <span class="key train">{move || td_string!(locale(), results.train_key)}</span>
                <span class="key validation">{move || td_string!(locale(), results.validation_key)}</span>
            </p>
        </div>
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    let report = state.report;
    // What the run means needs its curves (training against validation accuracy): a report
    // opened from a project file or restored has none, so it gets no reading.
    let reading = move || {
        report.with(|r| {
            let r = r.as_ref()?;
            state
                .history
                .with(|h| (!h.is_empty()).then(|| Reading::of_report(h, r)))
        })
    };
    view! {
        <Show when=move || reading().is_some()>
            <p class="reading" data-testid="result-reading" data-reading=move || reading().map(Reading::name)>
                {move || reading().map(Reading::text)}
            </p>
        </Show>
        <Show when=move || report.with(Option::is_some)>
            {move || report.get().map(|r| view! { <ReportView report=r /> })}
        </Show>
    }
}

/// Up to 10 characters of a class name, for a column heading (the full name is its title).
fn short(name: &str) -> String {
    let mut chars = name.chars();
    let head: String = chars.by_ref().take(10).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[component]
fn ReportView(report: TrainingReport) -> impl IntoView {
    let evaluated_on = report.evaluated_on;
    let measured_on = move || match evaluated_on {
        EvaluatedOn::Validation => td_string!(locale(), results.measured_on_validation),
        EvaluatedOn::Training => td_string!(locale(), results.measured_on_training),
    };
    let bars = report
        .classes
        .iter()
        .zip(&report.per_class_accuracy)
        .map(|(name, &accuracy)| {
            let value = accuracy.unwrap_or(0.0);
            let text = move || {
                accuracy.map_or(td_string!(locale(), results.no_images).to_string(), |a| {
                    format!("{:.0}%", a * 100.0)
                })
            };
            view! {
                <li>
                    <span class="bar-label">{name.clone()}</span>
                    <meter min="0" max="1" value=value aria-label=name.clone()></meter>
                    <span class="bar-value">{text}</span>
                </li>
            }
        })
        .collect_view();
    let heads = report
        .classes
        .iter()
        .map(|name| view! { <th scope="col" title=name.clone()>{short(name)}</th> })
        .collect_view();
    let selected = RwSignal::new(None);
    let rows = report
        .confusion
        .matrix
        .iter()
        .zip(&report.classes)
        .enumerate()
        .map(|(actual, (row, name))| {
            let total = row.iter().sum::<usize>().max(1) as f32;
            let cells = row
                .iter()
                .enumerate()
                .map(|(predicted, &count)| {
                    // Five shades (a class, not a style attribute: the CSP allows no inline style).
                    let shade = (count as f32 / total * 5.0).round() as usize;
                    let kind = if actual == predicted {
                        "right"
                    } else {
                        "wrong"
                    };
                    let names = (name.clone(), report.classes[predicted].clone());
                    view! {
                        <td class=format!("cell {kind} shade-{shade}")>
                            <CellCount actual predicted count names selected />
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row" title=name.clone()>{short(name)}</th>{cells}</tr> }
        })
        .collect_view();
    let names = report.classes.join(", ");
    view! {
        <div
            class="results"
            data-testid="results"
            data-epochs-run=report.epochs_run
            data-cancelled=report.cancelled.to_string()
            data-seconds=format!("{:.3}", report.seconds)
        >
            <h3>{move || td_string!(locale(), results.accuracy_per_class)}</h3>
            <p class="hint">{measured_on}</p>
            {report
                .notices
                .iter()
                .map(|notice| {
                    let notice = notice.clone();
                    view! { <p class="hint" data-testid="notice">{move || messages::notice(&notice)}</p> }
                })
                .collect_view()}
            <ul class="bars">{bars}</ul>
            <h3>{move || td_string!(locale(), results.confusion_title)}</h3>
            <p class="hint">{move || td_string!(locale(), results.confusion_hint)}</p>
            // Focusable: it scrolls sideways when many classes do not fit.
            <div class="confusion-wrap" tabindex="0" role="region" aria-label=move || td_string!(locale(), results.confusion_title)>
                <table class="confusion" data-testid="confusion-matrix">
                    <caption class="visually-hidden">{move || td_string!(locale(), results.confusion_of, names = &names)}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="corner">
                                {move || td_string!(locale(), results.true_class)}" \\ "{move || td_string!(locale(), results.predicted_class)}
                            </th>
                            {heads}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <CellSamples classes=report.classes.clone() selected />
        </div>
    }
}
