//! The page: header (backend in use, language), start-up progress, the engine's alerts, then
//! the three panels. The engine runs in a worker; this thread only renders. As a widget
//! (`#embed`, or inside a frame) it is compact, configured by its URL hash, talks to its
//! parent window (`widget_api.rs`) and keeps nothing on the device: each visit starts from
//! its configuration.

use ajuste_protocol::Backend;
use ajuste_protocol::widget::Control;
use leptos::prelude::*;

use super::classes::Classes;
use super::embed::Widget;
use super::engine_status::{DeviceNotice, EngineAlerts};
use super::i18n::td_string;
use super::language::{LanguageSwitch, locale};
use super::preview::Preview;
use super::project_bar::ProjectBar;
use super::startup::StartupProgress;
use super::state::{AppState, Phase};
use super::training::TrainingPanel;
use super::webcam::Camera;
use super::widget_api;

#[component]
pub fn App() -> impl IntoView {
    let widget = Widget::from_location();
    let state = AppState::new();
    let camera = Camera::new();
    provide_context(state);
    provide_context(camera);
    provide_context(widget);
    widget.apply_location(state);
    state.connect();
    provide_context(state.writer);
    provide_context(state.set_aside);
    provide_context(state.projects);
    if widget.embed {
        state.writer.never();
        state.start_empty();
    } else {
        state.projects.choose_last_used();
        state.writer.claim(&state.projects.current_id());
        state.restore();
        state.autosave_on_change();
    }
    widget_api::start(state, widget);
    if widget.embed
        && let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
    {
        let _ = body.class_list().add_1("embed");
    }

    view! {
        <header class="top">
            <div class="title-row">
                <h1>"Ajuste"</h1>
                <Show when=move || widget.shows(Control::Language)>
                    <LanguageSwitch locked=Signal::derive(move || widget.locked(Control::Language)) />
                </Show>
            </div>
            <Show when=move || !widget.embed>
                <p class="tagline">{move || td_string!(locale(), page.tagline)}</p>
            </Show>
            <p class="backend">
                {move || td_string!(locale(), page.running_on)}
                <strong data-testid="backend">{move || state.backend.get().map(Backend::label).unwrap_or("…")}</strong>
                <Show when=move || state.head_device.with(Option::is_some)>
                    {move || td_string!(locale(), page.head_trains_on)}
                    <strong data-testid="head-device">
                        {move || state.head_device.get().map(Backend::label).unwrap_or("…")}
                    </strong>
                </Show>
            </p>
            <Show when=move || state.backend.get() == Some(Backend::Cpu)>
                <p class="notice" data-testid="backend-notice" role="status">
                    {move || td_string!(locale(), page.no_webgpu)}
                </p>
            </Show>
            <DeviceNotice />
        </header>
        <main
            data-testid="trainer"
            data-state=move || state.phase.get().as_str()
            data-camera=move || if camera.live.get() { "on" } else { "off" }
            data-embed=widget.embed.to_string()
        >
            <Show when=move || state.phase.get() == Phase::Loading>
                <StartupProgress progress=state.weights />
            </Show>
            <EngineAlerts />
            <Show when=move || widget.shows(Control::Project)>
                <ProjectBar />
            </Show>
            <div class="layout">
                <Classes />
                <div class="side">
                    <TrainingPanel />
                    <Show when=move || widget.shows(Control::Preview)>
                        <Preview />
                    </Show>
                </div>
            </div>
        </main>
    }
}
