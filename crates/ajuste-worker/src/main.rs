//! The engine, in a dedicated Web Worker (built by Trunk, see index.html): a thin browser
//! shell over the library's [`ajuste::session::Session`], which owns the images, their
//! features, training and the classifier. This shell only carries messages in and out, gives
//! the session time slices, downloads the weights and picks the device, so training never
//! blocks the tab.

mod backend;
mod inbox;
mod weights_download;

use ajuste::protocol::{EngineError, Event};
use ajuste::session::Session;

use inbox::{Inbox, Message, now_ms, send, send_with_bytes, yield_to_event_loop};

/// Served next to index.html; Trunk copies it from `www/`.
const WEIGHTS_URL: &str = "efficientnet-lite0.safetensors";
/// Background work runs this long before the loop lets messages in.
const SLICE_MS: f64 = 8.0;

unsafe extern "C" {
    /// The static constructors, made by the linker: the `inventory` registrations of the
    /// compiler under burn's GPU kernels (pliron).
    fn __wasm_call_ctors();
}

fn main() {
    // Once, first. A binary that never calls it gets a call at the top of every export from
    // the linker (wasm-ld's "command" heuristic), so every call from JavaScript into the
    // engine (each allocation for a message, each callback) ran every constructor again: a
    // sixth of the worker's time in a profile (README "Speed and size in the browser").
    // SAFETY: called once, before any other code of the engine runs.
    unsafe { __wasm_call_ctors() };
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // The page fails what waits for an answer and offers to restart the engine.
        send(&Event::Fatal(EngineError::Crashed(info.to_string())));
    }));
    let inbox = Inbox::listen();
    wasm_bindgen_futures::spawn_local(run(inbox));
}

async fn start() -> Result<Session, EngineError> {
    let (devices, backend) = backend::init().await;
    send(&Event::Backend(backend));
    let reported = std::cell::Cell::new(0);
    let weights = weights_download::fetch_with_progress(WEIGHTS_URL, |loaded, total| {
        // Every 2% is plenty for a progress bar.
        if loaded - reported.get() >= total.unwrap_or(u64::MAX) / 50 || Some(loaded) == total {
            reported.set(loaded);
            send(&Event::WeightsProgress { loaded, total });
        }
    })
    .await
    .map_err(EngineError::WeightsDownload)?;
    let on_gpu = backend == ajuste::protocol::Backend::WebGpu;
    let mut session = Session::new(weights, devices, on_gpu, Box::new(now_ms))?;
    send(&Event::HeadDevice(session.head_backend()));
    // Compiles the shaders now, while the user is still adding images.
    session.warm_up().await?;
    Ok(session)
}

async fn run(mut inbox: Inbox) {
    let mut session = match start().await {
        Ok(session) => session,
        Err(error) => return send(&Event::Fatal(error)),
    };
    send(&Event::Ready);
    loop {
        while let Some(message) = inbox.try_next() {
            deliver(&mut session, message).await;
        }
        let slice_started = now_ms();
        let mut worked = false;
        while now_ms() - slice_started < SLICE_MS && session.work().await {
            worked = true;
        }
        flush(&mut session);
        if worked {
            yield_to_event_loop().await;
        } else {
            match inbox.next().await {
                Some(message) => deliver(&mut session, message).await,
                None => return,
            }
        }
    }
}

async fn deliver(session: &mut Session, message: Message) {
    match message {
        Ok((command, bytes)) => session.handle(command, bytes).await,
        Err(unopened) => session.unreadable(unopened.error, unopened.json.as_deref()),
    }
    flush(session);
}

fn flush(session: &mut Session) {
    for outgoing in session.take_outgoing() {
        send_with_bytes(&outgoing.event, outgoing.bytes);
    }
    report_memory_growth();
}

/// Sends the size of the worker's WebAssembly memory when it grew since the last report.
fn report_memory_growth() {
    thread_local! {
        static REPORTED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    const PAGE_BYTES: u64 = 64 * 1024;
    let bytes = core::arch::wasm32::memory_size::<0>() as u64 * PAGE_BYTES;
    if REPORTED.replace(bytes) != bytes {
        send(&Event::EngineMemory { bytes });
    }
}
