//! The images behind one cell of the confusion matrix: click a count, see which images of
//! one class the classifier took for another (or got right). Only for a run of this page:
//! the engine says which image landed where (`Event::Evaluated`); a report from a file has
//! only the counts.

use ajuste_protocol::SampleId;
use leptos::prelude::*;

use super::counts;
use super::i18n::td_string;
use super::language::locale;
use super::state::AppState;

/// A cell's count: a button that shows its images when the page knows them.
#[component]
pub fn CellCount(
    actual: usize,
    predicted: usize,
    count: usize,
    names: (String, String),
    selected: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let known = move || state.evaluated.with(|e| !e.is_empty());
    let cell = (actual, predicted);
    let label = move || cell_images(count, &names.0, &names.1);
    view! {
        <Show when=known fallback=move || count>
            <button
                type="button"
                class="cell-button"
                data-testid="confusion-cell"
                data-actual=actual
                data-predicted=predicted
                aria-label=label.clone()
                aria-pressed=move || (selected.get() == Some(cell)).to_string()
                on:click=move |_| selected.update(|s| *s = (*s != Some(cell)).then_some(cell))
            >
                {count}
            </button>
        </Show>
    }
}

/// The thumbnails of the selected cell's images.
#[component]
pub fn CellSamples(
    classes: Vec<String>,
    selected: RwSignal<Option<(usize, usize)>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let ids = move || -> Vec<SampleId> {
        let Some((actual, predicted)) = selected.get() else {
            return Vec::new();
        };
        state.evaluated.with(|evaluated| {
            (evaluated.iter())
                .filter(|&&(_, a, p)| (a, p) == (actual, predicted))
                .map(|&(id, _, _)| id)
                .collect()
        })
    };
    let title = move || {
        let (actual, predicted) = selected.get()?;
        let name = |i: usize| classes.get(i).cloned().unwrap_or_default();
        Some(cell_images(ids().len(), &name(actual), &name(predicted)))
    };
    view! {
        <Show when=move || selected.with(Option::is_some)>
            <figure class="cell-samples" data-testid="cell-samples">
                <figcaption>{title.clone()}</figcaption>
                <div class="cell-thumbnails">
                    {move || {
                        ids()
                            .into_iter()
                            .filter_map(|id| state.find_sample(id))
                            .map(|sample| {
                                view! {
                                    <img
                                        data-testid="cell-sample"
                                        src=move || sample.thumbnail.get()
                                        alt=sample.name.clone()
                                        title=sample.name.clone()
                                    />
                                }
                            })
                            .collect_view()
                    }}
                </div>
            </figure>
        </Show>
    }
}

/// A cell's images, and its button's label: how many of `actual` were called `predicted`.
fn cell_images(n: usize, actual: &str, predicted: &str) -> String {
    td_string!(
        locale(),
        results.cell_images,
        images = counts::images(n),
        actual,
        predicted
    )
    .to_string()
}
