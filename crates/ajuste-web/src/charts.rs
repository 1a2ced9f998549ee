//! Pictures of training: loss and accuracy curves (train vs validation), per-class accuracy
//! and the confusion matrix, as inline SVG.

use ajuste_protocol::EpochMetrics;
use ajuste_protocol::{EvaluatedOn, TrainingReport};
use leptos::prelude::*;

use super::messages;

const WIDTH: f32 = 320.0;
const HEIGHT: f32 = 160.0;
const MARGIN: f32 = 28.0;

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
    title: &'static str,
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
                .filter_map(|s| s.points.last().map(|p| format!("{} {:.3}", s.name, p.1)))
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
                aria-label=move || format!("{title}: {}", summary())
            >
                <line class="axis" x1=MARGIN y1=plot_bottom x2=WIDTH - MARGIN y2=plot_bottom />
                <line class="axis" x1=MARGIN y1=MARGIN x2=MARGIN y2=plot_bottom />
                <text class="tick" x=2 y=MARGIN + 4.0>{move || format!("{:.2}", top())}</text>
                <text class="tick" x=2 y=plot_bottom>"0"</text>
                <text class="tick" x=WIDTH - MARGIN - 30.0 y=HEIGHT - 8.0>
                    {move || format!("epoch {}", x_max())}
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
            <p class="legend">
                <span class="key train">"train"</span>
                <span class="key validation">"validation"</span>
            </p>
        </figure>
    }
}

#[component]
pub fn Curves() -> impl IntoView {
    let history = expect_context::<super::state::AppState>().history;
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
            <LineChart title="Loss" lines=loss y_max=None />
            <LineChart title="Accuracy" lines=accuracy y_max=Some(1.0) />
        </div>
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let report = expect_context::<super::state::AppState>().report;
    view! {
        <Show when=move || report.with(Option::is_some)>
            {move || report.get().map(|r| view! { <ReportView report=r /> })}
        </Show>
    }
}

#[component]
fn ReportView(report: TrainingReport) -> impl IntoView {
    let n = report.classes.len();
    let cell = 36.0;
    let label_w = 110.0;
    // Room on the right for the last column's slanted label.
    let size_w = label_w + cell * n as f32 + 60.0;
    let size_h = label_w + cell * n as f32;
    let row_max = |row: &Vec<usize>| row.iter().sum::<usize>().max(1) as f32;
    let measured_on = match report.evaluated_on {
        EvaluatedOn::Validation => "the held-out validation images",
        EvaluatedOn::Training => "the training images (too few images to hold some out)",
    };
    let classes = report.classes.clone();
    let bars = report
        .classes
        .iter()
        .zip(&report.per_class_accuracy)
        .map(|(name, accuracy)| {
            let value = accuracy.unwrap_or(0.0);
            let text = accuracy.map_or("no images".to_string(), |a| format!("{:.0}%", a * 100.0));
            view! {
                <li>
                    <span class="bar-label">{name.clone()}</span>
                    <meter min="0" max="1" value=value></meter>
                    <span class="bar-value">{text}</span>
                </li>
            }
        })
        .collect_view();
    let cells = report
        .confusion
        .matrix
        .iter()
        .enumerate()
        .flat_map(|(actual, row)| {
            let total = row_max(row);
            row.iter().enumerate().map(move |(predicted, &count)| {
                let share = count as f32 / total;
                let x = label_w + cell * predicted as f32;
                let y = label_w + cell * actual as f32;
                view! {
                    <rect x=x y=y width=cell height=cell
                        class=if actual == predicted { "cell right" } else { "cell wrong" }
                        fill-opacity=format!("{:.2}", 0.08 + 0.92 * share) />
                    <text class="count" x=x + cell / 2.0 y=y + cell / 2.0 + 4.0>{count}</text>
                }
            })
        })
        .collect_view();
    let labels = classes
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let short: String = name.chars().take(14).collect();
            let middle = label_w + cell * i as f32 + cell / 2.0;
            view! {
                <text class="row-label" x=label_w - 6.0 y=middle + 4.0>{short.clone()}</text>
                <text class="col-label" transform=format!("translate({middle} {}) rotate(-60)", label_w - 6.0)>
                    {short}
                </text>
            }
        })
        .collect_view();
    view! {
        <div
            class="results"
            data-testid="results"
            data-epochs-run=report.epochs_run
            data-cancelled=report.cancelled.to_string()
            data-seconds=format!("{:.3}", report.seconds)
        >
            <h3>"Accuracy per class"</h3>
            <p class="hint">{format!("Measured on {measured_on}.")}</p>
            {report
                .notices
                .iter()
                .map(|notice| view! { <p class="hint" data-testid="notice">{messages::notice(notice)}</p> })
                .collect_view()}
            <ul class="bars">{bars}</ul>
            <h3>"Confusion matrix"</h3>
            <p class="hint">"Rows: the true class; columns: what the classifier said."</p>
            <svg
                class="confusion"
                data-testid="confusion-matrix"
                viewBox=format!("0 0 {size_w} {size_h}")
                role="img"
                aria-label=format!("Confusion matrix of {}", classes.join(", "))
            >
                {labels}
                {cells}
            </svg>
        </div>
    }
}
