//! The page: header (backend in use), start-up progress, the engine's alerts, then the three
//! panels. The engine runs in a worker; this thread only renders.

use ajuste_protocol::Backend;
use leptos::prelude::*;

use super::classes::Classes;
use super::engine_status::{DeviceNotice, EngineAlerts};
use super::preview::Preview;
use super::project_bar::ProjectBar;
use super::startup::StartupProgress;
use super::state::{AppState, Phase};
use super::training::TrainingPanel;
use super::webcam::Camera;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    let camera = Camera::new();
    provide_context(state);
    provide_context(camera);
    state.connect();
    state.restore();
    state.autosave_on_change();

    view! {
        <header class="top">
            <h1>"Ajuste"</h1>
            <p class="tagline">"Teach your browser to recognise things: add images per class, train, try it. Your images never leave this device."</p>
            <p class="backend">
                "Running on "
                <strong data-testid="backend">{move || state.backend.get().map(Backend::label).unwrap_or("…")}</strong>
            </p>
            <Show when=move || state.backend.get() == Some(Backend::Cpu)>
                <p class="notice" data-testid="backend-notice" role="status">
                    "No WebGPU: training on CPU, slower."
                </p>
            </Show>
            <DeviceNotice />
        </header>
        <main
            data-testid="trainer"
            data-state=move || state.phase.get().as_str()
            data-camera=move || if camera.live.get() { "on" } else { "off" }
        >
            <Show when=move || state.phase.get() == Phase::Loading>
                <StartupProgress progress=state.weights />
            </Show>
            <EngineAlerts />
            <ProjectBar />
            <div class="layout">
                <Classes />
                <div class="side">
                    <TrainingPanel />
                    <Preview />
                </div>
            </div>
        </main>
    }
}
