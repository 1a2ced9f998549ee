//! Classify a picked image and show the top classes with their confidence.

use ajuste::model::imagenet::Prediction;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;

use super::app::SharedEngine;

async fn read_file(file: web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("cannot read {}", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

#[component]
pub fn Preview(engine: SharedEngine) -> impl IntoView {
    let (predictions, set_predictions) = signal(Vec::<Prediction>::new());
    let (error, set_error) = signal(None::<String>);
    let (busy, set_busy) = signal(false);

    let on_change = move |event: web_sys::Event| {
        let input: HtmlInputElement = event_target(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let Some(engine) = engine.get_value() else {
            return;
        };
        set_busy.set(true);
        spawn_local(async move {
            let name = file.name();
            let result = match read_file(file).await {
                Ok(bytes) => engine.classify_imagenet(&bytes).await,
                Err(message) => Err(message),
            };
            match result {
                Ok(top) => {
                    set_error.set(None);
                    set_predictions.set(top);
                }
                Err(message) => set_error.set(Some(format!("{name}: {message}"))),
            }
            set_busy.set(false);
        });
    };

    let top1 = move || predictions.with(|p| p.first().cloned());
    view! {
        <section class="panel preview">
            <h2>"Try the pretrained network"</h2>
            <label for="preview-input">"Pick a photo to classify (ImageNet classes)"</label>
            <input
                id="preview-input"
                type="file"
                accept="image/*"
                data-testid="preview-input"
                on:change=on_change
            />
            <Show when=move || busy.get()>
                <p class="busy" role="status">"Classifying…"</p>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="error" data-testid="error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || top1().is_some()>
                <p
                    class="prediction"
                    data-testid="prediction"
                    data-label=move || top1().map(|p| p.label).unwrap_or_default()
                    data-confidence=move || top1().map(|p| format!("{:.4}", p.probability)).unwrap_or_default()
                >
                    {move || top1().map(|p| p.label).unwrap_or_default()}
                </p>
                <ul class="bars">
                    <For
                        each=move || predictions.get()
                        key=|p| p.index
                        let:p
                    >
                        <li>
                            <span class="bar-label">{p.label.clone()}</span>
                            <meter min="0" max="1" value=p.probability></meter>
                            <span class="bar-value">{format!("{:.1}%", p.probability * 100.0)}</span>
                        </li>
                    </For>
                </ul>
            </Show>
        </section>
    }
}
