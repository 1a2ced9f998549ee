//! WebGPU when the browser offers an adapter, burn's CPU backend (Flex) otherwise.

use ajuste::protocol::Backend;
use ajuste::train::devices::Devices;
use burn::prelude::Device;
use burn::tensor::wgpu::WgpuBackend;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Asks `navigator.gpu` for an adapter first: wgpu's own failure without one is not always
/// a clean error. Goes through JS reflection because web-sys gates its WebGPU types behind
/// an unstable cfg flag. `Some(true)` for a software adapter (SwiftShader and the like).
async fn webgpu_adapter() -> Option<bool> {
    let get = |target: &JsValue, key: &str| {
        js_sys::Reflect::get(target, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let navigator = get(&js_sys::global(), "navigator")?;
    let gpu = get(&navigator, "gpu")?;
    let request_adapter = get(&gpu, "requestAdapter")?;
    let promise = request_adapter
        .unchecked_into::<js_sys::Function>()
        .call0(&gpu)
        .ok()?;
    let adapter = JsFuture::from(js_sys::Promise::from(promise)).await.ok()?;
    if adapter.is_null() || adapter.is_undefined() {
        return None;
    }
    // `adapter.info.isFallbackAdapter` today; older browsers had it on the adapter.
    let fallback = get(&adapter, "info")
        .and_then(|info| get(&info, "isFallbackAdapter"))
        .or_else(|| get(&adapter, "isFallbackAdapter"))
        .and_then(|flag| flag.as_bool())
        .unwrap_or(false);
    Some(fallback)
}

/// The backbone on WebGPU, or everything on the CPU. Transfer learning trains its head on a
/// hardware GPU too (its steps stay queued there, with no read-back between them); on a
/// software adapter the CPU does it faster than the emulated GPU's per-dispatch overhead.
pub async fn init() -> (Devices, Backend) {
    if let Some(fallback) = webgpu_adapter().await {
        match Device::wgpu_options()
            .graphics_api(WgpuBackend::WebGpu)
            .init_async()
            .await
        {
            Ok(device) if fallback => return (Devices::with_cpu_host(&device), Backend::WebGpu),
            Ok(device) => return (Devices::single(&device), Backend::WebGpu),
            Err(error) => web_sys::console::warn_1(&format!("WebGPU init failed: {error}").into()),
        }
    }
    (Devices::single(&Device::flex()), Backend::Cpu)
}
