//! What the chosen freeze depth's activations need for the images there are, against what
//! the engine allows itself, and what it keeps of them (all, the first views of each image,
//! or none: recomputed at every step) — said before Train, not discovered after.

use ajuste_protocol::KeptViews;
use leptos::prelude::*;

use super::i18n::tr;
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
                {move || plan.with(|plan| plan.as_ref().map(|plan| (tr().memory_plan)(plan)))}
            </p>
        </Show>
    }
}
