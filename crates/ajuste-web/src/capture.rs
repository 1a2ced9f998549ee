//! A class card's webcam: hold to record (frames at a steady rate, with a live count), or
//! take a single shot.

use std::time::Duration;

use leptos::html::Video;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlCanvasElement;

use super::frames::{grab, new_canvas, thumbnail};
use super::i18n::td_string;
use super::language::locale;
use super::state::{AppState, ClassModel};
use super::webcam::Camera;

/// Frames per second while the record button is held.
const RECORD_FPS: u64 = 10;

#[derive(Clone)]
struct Canvases {
    frame: HtmlCanvasElement,
    thumbnail: HtmlCanvasElement,
}

/// Sends the video's current frame to the class; false when the video has none yet.
fn capture_into(
    state: AppState,
    class: ClassModel,
    video: &web_sys::HtmlVideoElement,
    canvases: &Canvases,
) -> bool {
    let Some(frame) = grab(video, &canvases.frame) else {
        return false;
    };
    let picture = thumbnail(&canvases.frame, &canvases.thumbnail);
    let number = class.samples.with_untracked(Vec::len) + 1;
    state.add_frame(
        class,
        td_string!(locale(), camera.frame, n = number),
        picture,
        frame,
    );
    true
}

#[component]
pub fn WebcamCapture(class: ClassModel) -> impl IntoView {
    let state = expect_context::<AppState>();
    let camera = expect_context::<Camera>();
    let video_ref = NodeRef::<Video>::new();
    let viewer = camera.viewer();
    let open = RwSignal::new(false);
    let holding = RwSignal::new(false);
    let recorded = RwSignal::new(0usize);
    let ticker = StoredValue::new_local(None::<IntervalHandle>);
    let canvases =
        StoredValue::new_local(
            new_canvas()
                .zip(new_canvas())
                .map(|(frame, thumb)| Canvases {
                    frame,
                    thumbnail: thumb,
                }),
        );

    // Opens the camera in this card; `then` runs once it shows.
    let start_camera = move |then: Box<dyn FnOnce()>| {
        spawn_local(async move {
            let Some(video) = video_ref.get_untracked() else {
                return;
            };
            open.set(true);
            match camera.attach(viewer, &video).await {
                Ok(true) => {
                    class.error.set(None);
                    then();
                }
                // Hidden meanwhile.
                Ok(false) => {}
                Err(message) => {
                    open.set(false);
                    holding.set(false);
                    class.error.set(Some(message));
                }
            }
        });
    };

    let stop_recording = move || {
        holding.set(false);
        if let Some(handle) = ticker.get_value() {
            handle.clear();
        }
        ticker.set_value(None);
    };

    let start_recording = move || {
        if holding.get_untracked() {
            return;
        }
        holding.set(true);
        recorded.set(0);
        start_camera(Box::new(move || {
            if !holding.get_untracked() {
                return;
            }
            let tick = move || {
                let (Some(video), Some(canvases)) =
                    (video_ref.get_untracked(), canvases.get_value())
                else {
                    return;
                };
                if capture_into(state, class, &video, &canvases) {
                    recorded.update(|n| *n += 1);
                }
            };
            let period = Duration::from_millis(1000 / RECORD_FPS);
            if let Ok(handle) = set_interval_with_handle(tick, period) {
                ticker.set_value(Some(handle));
            }
        }));
    };

    let snap = move |_| {
        start_camera(Box::new(move || {
            let (Some(video), Some(canvases)) = (video_ref.get_untracked(), canvases.get_value())
            else {
                return;
            };
            // A camera that just opened may not have a frame yet: retry shortly.
            if !capture_into(state, class, &video, &canvases) {
                set_timeout(
                    move || {
                        capture_into(state, class, &video, &canvases);
                    },
                    Duration::from_millis(300),
                );
            }
        }));
    };

    // Hiding the camera here, or this card leaving the page, lets the camera stop.
    let hide = move || {
        stop_recording();
        open.set(false);
        camera.release(viewer);
    };
    on_cleanup(move || {
        if let Some(handle) = ticker.try_get_value().flatten() {
            handle.clear();
        }
        camera.release(viewer);
    });

    let is_activation_key = |event: &web_sys::KeyboardEvent| {
        matches!(event.key().as_str(), " " | "Enter") && !event.repeat()
    };
    let name = move || class.name.get();

    view! {
        <div class="capture">
            <div class="capture-buttons">
                <button
                    type="button"
                    class="record"
                    class:recording=move || holding.get()
                    data-testid="webcam-record"
                    aria-pressed=move || holding.get().to_string()
                    aria-label=move || td_string!(locale(), camera.record_for, name = name())
                    on:pointerdown=move |event| {
                        event.prevent_default();
                        start_recording();
                    }
                    on:pointerup=move |_| stop_recording()
                    on:pointerleave=move |_| stop_recording()
                    on:pointercancel=move |_| stop_recording()
                    on:keydown=move |event| {
                        if is_activation_key(&event) {
                            event.prevent_default();
                            start_recording();
                        }
                    }
                    on:keyup=move |_| stop_recording()
                    on:blur=move |_| stop_recording()
                >
                    {move || if holding.get() {
                        td_string!(locale(), camera.recording, n = recorded.get())
                    } else {
                        td_string!(locale(), camera.hold_to_record).to_string()
                    }}
                </button>
                <button
                    type="button"
                    data-testid="webcam-snap"
                    aria-label=move || td_string!(locale(), camera.snap_for, name = name())
                    on:click=snap
                >
                    {move || td_string!(locale(), camera.snap)}
                </button>
                <Show when=move || open.get()>
                    <button
                        type="button"
                        class="quiet"
                        data-testid="webcam-hide"
                        on:click=move |_| hide()
                    >
                        {move || td_string!(locale(), camera.hide)}
                    </button>
                </Show>
            </div>
            <div class="camera" class:hidden=move || !open.get()>
                <video node_ref=video_ref autoplay playsinline muted aria-label=move || td_string!(locale(), camera.preview)></video>
                <CameraSelect error=class.error />
            </div>
        </div>
    }
}

/// Lists the cameras (once permission is granted) and switches between them; a camera that
/// does not start is said in `error`.
#[component]
pub fn CameraSelect(error: RwSignal<Option<String>>) -> impl IntoView {
    let camera = expect_context::<Camera>();
    view! {
        <Show when=move || { camera.choices.with(|c| c.len() > 1) }>
            <label class="camera-select">
                {move || td_string!(locale(), camera.choice)}
                <select on:change=move |event| {
                    let device = event_target_value(&event);
                    spawn_local(async move {
                        if let Err(message) = camera.switch(device).await {
                            error.set(Some(message));
                        }
                    });
                }>
                    <For
                        each=move || camera.choices.get()
                        key=|choice| choice.id.clone()
                        children=move |choice| {
                            let id = choice.id.clone();
                            view! {
                                <option
                                    value=choice.id
                                    selected=move || camera.selected.get() == id
                                >
                                    {choice.label}
                                </option>
                            }
                        }
                    />
                </select>
            </label>
        </Show>
    }
}
