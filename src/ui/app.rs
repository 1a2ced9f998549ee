//! The page: starts the engine, then shows the panels.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::preview::Preview;
use super::startup::StartupProgress;
use crate::engine::{BackendKind, Engine};

/// What the `trainer` test hook reports in `data-state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineState {
    Loading,
    Ready,
    Error,
}

impl EngineState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Ready => "ready",
            Self::Error => "error",
        }
    }
}

pub type SharedEngine = StoredValue<Option<Rc<Engine>>, LocalStorage>;

#[component]
pub fn App() -> impl IntoView {
    let engine: SharedEngine = StoredValue::new_local(None);
    let (state, set_state) = signal(EngineState::Loading);
    let (backend, set_backend) = signal(None::<BackendKind>);
    let (error, set_error) = signal(None::<String>);
    let (progress, set_progress) = signal((0u64, None::<u64>));

    spawn_local(async move {
        let started = Engine::start(move |done, total| set_progress.set((done, total))).await;
        match started {
            Ok(started) => {
                set_backend.set(Some(started.backend));
                let started = Rc::new(started);
                engine.set_value(Some(started.clone()));
                if let Err(message) = started.warm_up().await {
                    set_error.set(Some(message));
                }
                set_state.set(EngineState::Ready);
            }
            Err(message) => {
                set_error.set(Some(message));
                set_state.set(EngineState::Error);
            }
        }
    });

    view! {
        <header class="top">
            <h1>"Ajuste"</h1>
            <p class="tagline">"Fine-tune an image classifier in your browser. Your images never leave this device."</p>
            <p class="backend">
                "Running on "
                <strong data-testid="backend">{move || backend.get().map(BackendKind::label).unwrap_or("…")}</strong>
            </p>
            <Show when=move || backend.get() == Some(BackendKind::Cpu)>
                <p class="notice" data-testid="backend-notice" role="status">
                    "No WebGPU in this browser: running on the CPU, which is slower."
                </p>
            </Show>
        </header>
        <main data-testid="trainer" data-state=move || state.get().as_str()>
            <Show when=move || state.get() == EngineState::Loading>
                <StartupProgress progress=progress />
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="error" data-testid="error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || state.get() == EngineState::Ready>
                <Preview engine=engine />
            </Show>
        </main>
    }
}
