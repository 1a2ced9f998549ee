//! `ajuste`: the native command-line tool over the same core as the web app.

#[cfg(not(target_arch = "wasm32"))]
mod backbone_commands;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod train_commands;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

// The web build compiles every binary of the package; this one has nothing to do there.
#[cfg(target_arch = "wasm32")]
fn main() {}
