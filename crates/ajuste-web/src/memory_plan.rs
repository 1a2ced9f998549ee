//! What the chosen freeze depth's activations need for the images there are, against what
//! the engine allows itself, and what it keeps of them (all, the first views of each image,
//! or none: recomputed at every step) — said before Train, not discovered after.

use ajuste_protocol::{KeptViews, MemoryPlan};
use leptos::prelude::*;

use super::counts;
use super::i18n::td_string;
use super::language::locale;
use super::state::AppState;

#[component]
pub fn MemoryPlanLine() -> impl IntoView {
    let state = expect_context::<AppState>();
    let plan = state.memory;
    let kept = move || {
        plan.with(|plan| match plan.as_ref().map(|p| p.kept) {
            Some(KeptViews::All) | None => "all",
            Some(KeptViews::First(_)) => "first",
            Some(KeptViews::Recomputed) => "recomputed",
        })
    };
    view! {
        <Show when=move || plan.with(|plan| plan.as_ref().is_some_and(|p| p.images > 0))>
            <p
                class="hint memory-plan"
                data-testid="memory-plan"
                data-kept=kept
                data-depth=move || plan.with(|p| p.as_ref().map(|p| p.freeze_depth))
                data-needed-bytes=move || plan.with(|p| p.as_ref().map(|p| p.needed_bytes()))
                data-budget-bytes=move || plan.with(|p| p.as_ref().map(|p| p.budget_bytes))
                data-engine-bytes=move || state.engine_memory.get()
            >
                {move || plan.with(|plan| plan.as_ref().map(sentence))}
                {move || {
                    state
                        .engine_memory
                        .get()
                        .map(|bytes| {
                            let mb = bytes.div_ceil(1 << 20);
                            format!(" {}", td_string!(locale(), memory.engine_holds, mb))
                        })
                }}
            </p>
        </Show>
    }
}

fn sentence(plan: &MemoryPlan) -> String {
    let needed = plan.needed_bytes().div_ceil(1 << 20);
    let budget = plan.budget_bytes >> 20;
    let images = counts::images(plan.images);
    match plan.kept {
        KeptViews::All => td_string!(locale(), memory.all_kept, images, needed, budget).to_string(),
        KeptViews::First(1) => td_string!(
            locale(),
            memory.first_view_kept,
            images,
            needed,
            budget,
            kept = 1,
            views = plan.views
        )
        .to_string(),
        KeptViews::First(kept) => td_string!(
            locale(),
            memory.first_views_kept,
            images,
            needed,
            budget,
            kept,
            views = plan.views
        )
        .to_string(),
        KeptViews::Recomputed => {
            td_string!(locale(), memory.recomputed, images, needed, budget).to_string()
        }
    }
}
