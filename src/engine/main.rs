//! The engine, in a dedicated Web Worker (built by Trunk, see index.html): it owns the device,
//! the pretrained network, the images, their features and the trained classifier. The page
//! only sends [`ajuste::protocol::Command`]s and renders the [`ajuste::protocol::Event`]s that
//! come back, so training never blocks the tab.

#[cfg(target_arch = "wasm32")]
mod backend;
#[cfg(target_arch = "wasm32")]
mod features;
#[cfg(target_arch = "wasm32")]
mod inbox;
#[cfg(target_arch = "wasm32")]
mod predict;
#[cfg(target_arch = "wasm32")]
mod session;
#[cfg(target_arch = "wasm32")]
mod training;
#[cfg(target_arch = "wasm32")]
mod weights_download;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    let inbox = inbox::Inbox::listen();
    wasm_bindgen_futures::spawn_local(session::run(inbox));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ajuste-worker is the browser engine: the page starts it as a Web Worker.");
}
