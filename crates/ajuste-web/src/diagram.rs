//! The network, drawn (`network-diagram`): EfficientNet-Lite0's stem, its 16 MBConv blocks in
//! 7 stages, the 1×1 head conv, the pooling and the new head, each frozen (grey, a lock) or
//! trainable, following the freeze-depth slider. Beside it what the depth costs: trainable
//! parameters, the activation cached per image, and the time per epoch (measured, or
//! estimated from another run).

use ajuste_protocol::BACKBONE_BLOCKS;
use leptos::prelude::*;

use super::counts::grouped;
use super::i18n::td_string;
use super::language::locale;
use super::network::{self, Block, DepthCost, FEATURE_CHANNELS, HEAD_CONV_PARAMS, STEM_PARAMS};
use super::runs::RunRecord;
use super::state::AppState;

const ROW: f32 = 26.0;
const LABEL_W: f32 = 112.0;
const BOX_W: f32 = 44.0;
const BOX_GAP: f32 = 5.0;
const WIDTH: f32 = LABEL_W + 4.0 * (BOX_W + BOX_GAP);
/// Stem, 7 stages, head conv, pooling, new head.
const ROWS: usize = 11;

/// A small padlock drawn at (x, y), for frozen parts.
fn lock(x: f32, y: f32) -> impl IntoView {
    view! {
        <g class="lock" aria-hidden="true">
            <path d=format!("M{} {} v-3 a3 3 0 0 1 6 0 v3", x + 1.5, y + 4.0) />
            <rect x=x y=y + 4.0 width="9" height="7" rx="1" />
        </g>
    }
}

/// One part of the network: a box that names itself on hover and focus.
#[component]
fn Part(
    x: f32,
    row: usize,
    label: Signal<String>,
    /// What hovering or focusing it says.
    name: Signal<String>,
    frozen: Signal<bool>,
    /// `block` for MBConv blocks (the test hook), `part` for the rest.
    test_id: &'static str,
    focused: RwSignal<Option<String>>,
    /// Nothing to train (the pooling): drawn as an outline.
    #[prop(optional)]
    empty: bool,
) -> impl IntoView {
    let y = 4.0 + ROW * row as f32;
    view! {
        <g
            class="part"
            class:frozen=move || frozen.get()
            class:empty=empty
            data-testid=test_id
            data-frozen=move || frozen.get().to_string()
            tabindex="0"
            role="img"
            aria-label=move || name.get()
            on:mouseenter=move |_| focused.set(Some(name.get_untracked()))
            on:mouseleave=move |_| focused.set(None)
            on:focus=move |_| focused.set(Some(name.get_untracked()))
            on:blur=move |_| focused.set(None)
        >
            <title>{move || name.get()}</title>
            <rect x=x y=y width=BOX_W height=ROW - 6.0 rx="4" />
            <text x=x + 4.0 y=y + 14.0>{move || label.get()}</text>
            <Show when=move || frozen.get()>{lock(x + BOX_W - 12.0, y + 3.0)}</Show>
        </g>
    }
}

fn shape(side: usize, channels: usize) -> String {
    format!("{side}×{side}×{channels}")
}

fn block_name(index: usize, block: &Block) -> String {
    format!(
        "{} {} · {} {} · MBConv{} {}×{} · {} → {}",
        td_string!(locale(), diagram.block),
        index + 1,
        td_string!(locale(), diagram.stage),
        block.stage,
        block.expand,
        block.kernel,
        block.kernel,
        shape(block.in_side, block.in_channels),
        shape(block.out_side, block.out_channels),
    )
}

fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1_000_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{:.1} MB", b as f64 / 1e6),
    }
}

/// Seconds per epoch at `depth`: the last run at that depth, else scaled from the last
/// fine-tuning run by the work per image (transfer learning's time is mostly overhead, so
/// it does not scale to fine-tuning or back).
fn epoch_time(runs: &[RunRecord], depth: usize, classes: usize) -> Option<(f64, bool)> {
    if let Some(run) = runs.iter().rev().find(|r| r.freeze_depth == depth) {
        return run.seconds_per_epoch().map(|s| (s, true));
    }
    if depth == 0 {
        return None;
    }
    let run = runs.iter().rev().find(|r| r.freeze_depth > 0)?;
    let per_epoch = run.seconds_per_epoch()?;
    let ratio = network::cost(depth, classes).train_macs as f64
        / network::cost(run.freeze_depth, classes).train_macs as f64;
    Some((per_epoch * ratio, false))
}

#[component]
pub fn NetworkDiagram() -> impl IntoView {
    let state = expect_context::<AppState>();
    let depth = Memo::new(move |_| state.settings.with(|s| s.freeze_depth));
    let augment = Memo::new(move |_| state.settings.with(|s| s.augment));
    let classes = Memo::new(move |_| {
        state
            .classes
            .with(|c| c.iter().filter(|c| c.enabled.get()).count())
            .max(2)
    });
    let cost = Memo::new(move |_| network::cost(depth.get(), classes.get()));
    let focused = RwSignal::new(None::<String>);
    let blocks = network::blocks();

    let mut parts = Vec::new();
    let always = |frozen: bool| Signal::derive(move || frozen);
    parts.push(
        view! {
            <Part x=LABEL_W row=0 label=Signal::derive(|| "3×3".to_string())
                name=Signal::derive(move || format!("{} · conv 3×3 · 224×224×3 → {} · {} {}", td_string!(locale(), diagram.stem), shape(112, 32), grouped(STEM_PARAMS), td_string!(locale(), diagram.params)))
                frozen=always(true) test_id="part" focused />
        }
        .into_any(),
    );
    for (index, block) in blocks.iter().copied().enumerate() {
        let position = blocks[..index]
            .iter()
            .filter(|b| b.stage == block.stage)
            .count();
        let x = LABEL_W + position as f32 * (BOX_W + BOX_GAP);
        let frozen = Signal::derive(move || index < BACKBONE_BLOCKS - depth.get());
        let name = Signal::derive(move || {
            format!(
                "{} · {} {}",
                block_name(index, &block),
                grouped(block.params()),
                td_string!(locale(), diagram.params)
            )
        });
        parts.push(
            view! { <Part x row=block.stage label=Signal::derive(move || format!("{}", index + 1)) name frozen test_id="block" focused /> }
                .into_any(),
        );
    }
    parts.push(
        view! {
            <Part x=LABEL_W row=8 label=Signal::derive(|| "1×1".to_string())
                name=Signal::derive(move || format!("{} · conv 1×1 · {} → {} · {} {}", td_string!(locale(), diagram.head_conv), shape(7, 320), shape(7, FEATURE_CHANNELS), grouped(HEAD_CONV_PARAMS), td_string!(locale(), diagram.params)))
                frozen=Signal::derive(move || depth.get() == 0) test_id="part" focused />
        }
        .into_any(),
    );
    parts.push(
        view! {
            <Part x=LABEL_W row=9 label=Signal::derive(|| td_string!(locale(), diagram.pooling_short).to_string())
                name=Signal::derive(move || format!("{} · {} → {FEATURE_CHANNELS} · 0 {}", td_string!(locale(), diagram.pooling), shape(7, FEATURE_CHANNELS), td_string!(locale(), diagram.params)))
                frozen=always(false) test_id="part" focused empty=true />
        }
        .into_any(),
    );
    parts.push(
        view! {
            <Part x=LABEL_W row=10 label=Signal::derive(|| td_string!(locale(), diagram.new_head_short).to_string())
                name=Signal::derive(move || format!("{} · {FEATURE_CHANNELS} → {} · {} {}", td_string!(locale(), diagram.new_head), classes.get(), grouped(network::new_head_params(classes.get())), td_string!(locale(), diagram.params)))
                frozen=always(false) test_id="part" focused />
        }
        .into_any(),
    );

    let row_label = move |row: usize| -> String {
        let locale = locale();
        match row {
            0 => td_string!(locale, diagram.stem).to_string(),
            1..=7 => {
                let side = blocks_side(row);
                format!(
                    "{} {row} · {side}×{side}",
                    td_string!(locale, diagram.stage)
                )
            }
            8 => td_string!(locale, diagram.head_conv).to_string(),
            9 => td_string!(locale, diagram.pooling).to_string(),
            _ => td_string!(locale, diagram.new_head).to_string(),
        }
    };
    let labels = (0..ROWS)
        .map(|row| {
            view! {
                <text class="row-label" x="0" y=4.0 + ROW * row as f32 + 14.0>{move || row_label(row)}</text>
            }
        })
        .collect_view();

    let time = move || {
        state
            .runs
            .with(|runs| match epoch_time(runs, depth.get(), classes.get()) {
                Some((seconds, true)) => td_string!(
                    locale(),
                    diagram.time_measured,
                    seconds = format!("{seconds:.2}")
                )
                .to_string(),
                Some((seconds, false)) => td_string!(
                    locale(),
                    diagram.time_estimated,
                    seconds = format!("{seconds:.2}")
                )
                .to_string(),
                None => {
                    let mflop = cost.get().train_macs as f64 / 1e6;
                    td_string!(
                        locale(),
                        diagram.time_unknown,
                        mflop = format!("{mflop:.0}")
                    )
                    .to_string()
                }
            })
    };
    let cached = move || {
        let DepthCost {
            cached_bytes_per_view,
            ..
        } = cost.get();
        let views = if augment.get() { 5 } else { 1 };
        let size = size(cached_bytes_per_view * views);
        if views == 1 {
            size
        } else {
            td_string!(locale(), diagram.cached_views, size, views).to_string()
        }
    };

    view! {
        <figure class="network" data-testid="network-diagram" data-depth=move || depth.get()>
            <figcaption>{move || td_string!(locale(), diagram.title)}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {}", ROW * ROWS as f32 + 6.0) role="group" aria-label=move || td_string!(locale(), diagram.title)>
                {labels}
                {parts}
            </svg>
            <p class="hint diagram-focus" data-testid="diagram-focus" aria-live="polite">
                {move || focused.get().unwrap_or_else(|| td_string!(locale(), diagram.hint).to_string())}
            </p>
            <p class="legend">
                <span class="key trainable">{move || td_string!(locale(), diagram.trainable)}</span>
                <span class="key frozen">{move || td_string!(locale(), diagram.frozen)}</span>
            </p>
            <dl class="costs" data-testid="diagram-stats">
                <dt>{move || td_string!(locale(), diagram.trainable_params)}</dt>
                <dd data-testid="trainable-params" data-value=move || cost.get().trainable_params>
                    {move || grouped(cost.get().trainable_params)}
                </dd>
                <dt>{move || td_string!(locale(), diagram.cached_label)}</dt>
                <dd data-testid="cached-size">{cached}</dd>
                <dt>{move || td_string!(locale(), diagram.epoch_time_label)}</dt>
                <dd data-testid="epoch-time">{time}</dd>
            </dl>
        </figure>
    }
}

/// The side of a stage's output.
fn blocks_side(stage: usize) -> usize {
    network::blocks()
        .iter()
        .rev()
        .find(|b| b.stage == stage)
        .map_or(0, |b| b.out_side)
}
