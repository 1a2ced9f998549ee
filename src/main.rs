//! The web page: the Leptos UI on the main thread. The engine (burn on WebGPU, or on the CPU
//! without it) runs in the `ajuste-worker` Web Worker. Built by Trunk (see index.html).

#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("ajuste-web is the browser build: run tools/serve.sh (Trunk) to build and serve it.");
}
