//! Offline: registers the service worker (`www/sw.js`), which caches the whole app so that it
//! starts and works with no network after one visit.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RegistrationOptions, ServiceWorkerUpdateViaCache};

/// Registers `sw.js` (served next to index.html) in the background. Browsers give service
/// workers to secure contexts only (https, or http on 127.0.0.1/localhost): elsewhere the app
/// simply stays online-only.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .is_ok_and(|container| !container.is_undefined());
    if !available {
        return;
    }
    let options = RegistrationOptions::new();
    // Update checks always ask the server for sw.js and the precache.js it imports (which
    // changes with every build), never the HTTP cache.
    options.set_update_via_cache(ServiceWorkerUpdateViaCache::None);
    let registering = navigator
        .service_worker()
        .register_with_options("sw.js", &options);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = JsFuture::from(registering).await {
            leptos::logging::warn!("the app will not work offline: {error:?}");
        }
    });
}
