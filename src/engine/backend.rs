//! WebGPU when the browser offers an adapter, burn's CPU backend (Flex) otherwise.

use burn::prelude::Device;
use burn::tensor::wgpu::WgpuBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    WebGpu,
    Cpu,
}

impl BackendKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::WebGpu => "WebGPU",
            Self::Cpu => "CPU",
        }
    }
}

/// Asks `navigator.gpu` for an adapter first: wgpu's own failure without one is not always
/// a clean error.
async fn has_webgpu_adapter() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let gpu = window.navigator().gpu();
    if gpu.is_undefined() {
        return false;
    }
    let gpu: web_sys::Gpu = gpu.unchecked_into();
    match JsFuture::from(gpu.request_adapter()).await {
        Ok(adapter) => !adapter.is_null() && !adapter.is_undefined(),
        Err(_) => false,
    }
}

pub async fn init() -> (Device, BackendKind) {
    if has_webgpu_adapter().await {
        match Device::wgpu_options()
            .graphics_api(WgpuBackend::WebGpu)
            .init_async()
            .await
        {
            Ok(device) => return (device, BackendKind::WebGpu),
            Err(error) => web_sys::console::warn_1(&format!("WebGPU init failed: {error}").into()),
        }
    }
    (Device::flex(), BackendKind::Cpu)
}
