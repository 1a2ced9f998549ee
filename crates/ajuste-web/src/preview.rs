//! Try the classifier: on a picked or dropped image, or live on the webcam at the frame rate
//! the device sustains. Before any training it answers with ImageNet classes.

use ajuste_protocol::widget::{Confidence, WidgetEvent};
use ajuste_protocol::{ImageEncoding, Prediction, PredictionSource};
use leptos::html::Video;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{DragEvent, File, HtmlCanvasElement, HtmlInputElement, Url};

use super::files::{files_of, read, release_thumbnail};
use super::frames::{grab, new_canvas};
use super::i18n::td_string;
use super::language::locale;
use super::state::{AppState, Phase};
use super::webcam::Camera;
use super::widget_api::emit;

#[derive(Clone, Copy)]
struct PreviewState {
    result: RwSignal<Option<Prediction>>,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    picture: RwSignal<Option<String>>,
    live: RwSignal<bool>,
    fps: RwSignal<Option<f64>>,
    /// Answers to picked images so far (`data-answered`), so that a test can tell a new answer
    /// from an old one that reads the same.
    answered: RwSignal<u64>,
}

fn classify_file(state: AppState, preview: PreviewState, file: File) {
    preview.busy.set(true);
    preview.live.set(false);
    if let Some(old) = preview.picture.get_untracked() {
        release_thumbnail(&old);
    }
    preview
        .picture
        .set(Url::create_object_url_with_blob(&file).ok());
    spawn_local(async move {
        let name = file.name();
        let bytes = match read(&file).await {
            Ok(bytes) => bytes,
            Err(message) => {
                preview.busy.set(false);
                preview.answered.update(|n| *n += 1);
                return preview.error.set(Some(message));
            }
        };
        state.predict(&bytes, ImageEncoding::File, move |result| {
            preview.busy.set(false);
            preview.answered.update(|n| *n += 1);
            match result {
                Ok(prediction) => show(preview, prediction),
                Err(message) => preview.error.set(Some(format!("{name}: {message}"))),
            }
        });
    });
}

/// An answer on the page; the trained classifier's also goes to the parent page (labels and
/// numbers: the image stays).
fn show(preview: PreviewState, prediction: Prediction) {
    if prediction.source == PredictionSource::Trained
        && let Some(best) = prediction.scores.first()
    {
        emit(WidgetEvent::Prediction {
            label: best.label.clone(),
            confidences: prediction
                .scores
                .iter()
                .map(|s| Confidence {
                    label: s.label.clone(),
                    confidence: s.probability,
                })
                .collect(),
        });
    }
    preview.error.set(None);
    preview.result.set(Some(prediction));
}

/// Classifies the current frame, and when the answer comes, the next one: as fast as the
/// engine goes, never queueing frames behind it.
fn live_step(
    state: AppState,
    preview: PreviewState,
    video: NodeRef<Video>,
    canvas: StoredValue<Option<HtmlCanvasElement>, LocalStorage>,
    last_ms: f64,
) {
    if !preview.live.get_untracked() {
        return;
    }
    let frame = video
        .get_untracked()
        .zip(canvas.get_value())
        .and_then(|(video, canvas)| grab(&video, &canvas));
    let Some(frame) = frame else {
        // No frame yet: the camera is still starting.
        return request_animation_frame(move || live_step(state, preview, video, canvas, last_ms));
    };
    let encoding = ImageEncoding::Rgba {
        width: frame.width,
        height: frame.height,
    };
    state.predict(&frame.rgba, encoding, move |result| {
        let now = js_sys::Date::now();
        if last_ms > 0.0 {
            let rate = 1000.0 / (now - last_ms).max(1.0);
            preview
                .fps
                .update(|fps| *fps = Some(fps.map_or(rate, |f| 0.7 * f + 0.3 * rate)));
        }
        match result {
            Ok(prediction) => show(preview, prediction),
            Err(message) => preview.error.set(Some(message)),
        }
        if !state.engine_running() {
            // Nothing to classify with until the engine restarts: let the camera go.
            return preview.live.set(false);
        }
        request_animation_frame(move || live_step(state, preview, video, canvas, now));
    });
}

#[component]
pub fn Preview() -> impl IntoView {
    let state = expect_context::<AppState>();
    let camera = expect_context::<Camera>();
    let video = NodeRef::<Video>::new();
    let viewer = camera.viewer();
    let canvas = StoredValue::new_local(new_canvas());
    let preview = PreviewState {
        result: RwSignal::new(None),
        error: RwSignal::new(None),
        busy: RwSignal::new(false),
        picture: RwSignal::new(None),
        live: RwSignal::new(false),
        fps: RwSignal::new(None),
        answered: RwSignal::new(0),
    };
    let ready = move || !matches!(state.phase.get(), Phase::Loading | Phase::Error);
    // The camera stops when the live preview does (unless a class card still shows it),
    // and when this panel leaves the page.
    Effect::new(move |_| {
        if !preview.live.get() {
            camera.release(viewer);
        }
    });
    on_cleanup(move || camera.release(viewer));

    let on_pick = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(file) = files_of(input.files()).into_iter().next() {
            classify_file(state, preview, file);
        }
        input.set_value("");
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        let files = files_of(event.data_transfer().and_then(|d| d.files()));
        if let Some(file) = files.into_iter().next() {
            classify_file(state, preview, file);
        }
    };
    let toggle_live = move |_| {
        if preview.live.get_untracked() {
            preview.live.set(false);
            return;
        }
        preview.live.set(true);
        preview.fps.set(None);
        spawn_local(async move {
            let Some(element) = video
                .get_untracked()
                .filter(|_| preview.live.get_untracked())
            else {
                return;
            };
            match camera.attach(viewer, &element).await {
                Ok(true) => live_step(state, preview, video, canvas, 0.0),
                // Stopped meanwhile.
                Ok(false) => {}
                Err(message) => {
                    preview.live.set(false);
                    preview.error.set(Some(message));
                }
            }
        });
    };

    let top1 = move || {
        preview
            .result
            .with(|r| r.as_ref().and_then(|p| p.scores.first().cloned()))
    };
    let source = move || preview.result.with(|r| r.as_ref().map(|p| p.source));
    let heading = move || match source() {
        Some(PredictionSource::Trained) => td_string!(locale(), preview.your_classes),
        _ => td_string!(locale(), preview.imagenet_classes),
    };

    view! {
        <section
            class="panel preview"
            data-answered=move || preview.answered.get().to_string()
            aria-labelledby="preview-title"
            on:dragover=move |event: DragEvent| event.prevent_default()
            on:drop=on_drop
        >
            <h2 id="preview-title">{move || td_string!(locale(), preview.title)}</h2>
            <div class="add-row">
                <label class="button">
                    {move || td_string!(locale(), preview.classify_image)}
                    <input
                        class="visually-hidden"
                        type="file"
                        accept="image/*"
                        data-testid="preview-input"
                        disabled=move || !ready()
                        on:change=on_pick
                    />
                </label>
                <button
                    type="button"
                    data-testid="preview-webcam"
                    aria-pressed=move || preview.live.get().to_string()
                    disabled=move || !ready()
                    on:click=toggle_live
                >
                    {move || if preview.live.get() { td_string!(locale(), preview.stop_webcam) } else { td_string!(locale(), preview.live_webcam) }}
                </button>
                <span class="fps" data-testid="fps" aria-live="off">
                    {move || preview.fps.get().map(|f| format!("{f:.1} fps")).unwrap_or_default()}
                </span>
            </div>
            <div class="preview-media">
                <video node_ref=video class:hidden=move || !preview.live.get() autoplay playsinline muted aria-label=move || td_string!(locale(), preview.live_camera)></video>
                <Show when=move || !preview.live.get() && preview.picture.with(Option::is_some)>
                    <img class="picked" src=move || preview.picture.get().unwrap_or_default() alt=move || td_string!(locale(), preview.picked_image) />
                </Show>
            </div>
            <Show when=move || preview.busy.get()>
                <p class="busy" role="status">{move || td_string!(locale(), preview.classifying)}</p>
            </Show>
            <Show when=move || preview.error.with(Option::is_some)>
                <p class="error" data-testid="error" role="alert">{move || preview.error.get()}</p>
            </Show>
            <Show when=move || top1().is_some()>
                <h3>{heading}</h3>
                <p
                    class="prediction"
                    data-testid="prediction"
                    data-source=move || match source() {
                        Some(PredictionSource::Trained) => "trained",
                        _ => "imagenet",
                    }
                    data-label=move || top1().map(|s| s.label).unwrap_or_default()
                    data-confidence=move || top1().map(|s| format!("{:.6}", s.probability)).unwrap_or_default()
                    aria-live="polite"
                >
                    {move || top1().map(|s| s.label).unwrap_or_default()}
                </p>
                <ul class="bars" data-testid="confidence-bars">
                    {move || {
                        preview.result.get().map(|p| {
                            p.scores
                                .into_iter()
                                .map(|s| view! {
                                    <li>
                                        <span class="bar-label">{s.label.clone()}</span>
                                        <meter min="0" max="1" value=s.probability aria-label=s.label.clone()></meter>
                                        <span class="bar-value">{format!("{:.1}%", s.probability * 100.0)}</span>
                                    </li>
                                })
                                .collect_view()
                        })
                    }}
                </ul>
            </Show>
        </section>
    }
}
