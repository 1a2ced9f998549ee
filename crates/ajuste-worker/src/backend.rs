//! WebGPU when the browser offers an adapter, burn's CPU backend (Flex) otherwise.

use ajuste::protocol::Backend;
use ajuste::train::devices::Devices;
use burn::prelude::Device;
use burn::tensor::wgpu::WgpuBackend;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Asks `navigator.gpu` for an adapter first: wgpu's own failure without one is not always
/// a clean error. Goes through JS reflection because web-sys gates its WebGPU types behind
/// an unstable cfg flag.
async fn has_webgpu_adapter() -> bool {
    let get = |target: &JsValue, key: &str| {
        js_sys::Reflect::get(target, &key.into())
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    };
    let Some(navigator) = get(&js_sys::global(), "navigator") else {
        return false;
    };
    let Some(gpu) = get(&navigator, "gpu") else {
        return false;
    };
    let Some(request_adapter) = get(&gpu, "requestAdapter") else {
        return false;
    };
    let Ok(promise) = request_adapter
        .unchecked_into::<js_sys::Function>()
        .call0(&gpu)
    else {
        return false;
    };
    match JsFuture::from(js_sys::Promise::from(promise)).await {
        Ok(adapter) => !adapter.is_null() && !adapter.is_undefined(),
        Err(_) => false,
    }
}

/// The backbone on WebGPU with transfer learning on the CPU, or everything on the CPU.
pub async fn init() -> (Devices, Backend) {
    if has_webgpu_adapter().await {
        match Device::wgpu_options()
            .graphics_api(WgpuBackend::WebGpu)
            .init_async()
            .await
        {
            Ok(device) => return (Devices::with_cpu_host(&device), Backend::WebGpu),
            Err(error) => web_sys::console::warn_1(&format!("WebGPU init failed: {error}").into()),
        }
    }
    (Devices::single(&Device::flex()), Backend::Cpu)
}
