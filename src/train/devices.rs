//! Where things run. `main` runs the backbone (WebGPU in a browser that has it); `host` is
//! where transfer learning trains its head: the GPU itself on a hardware adapter, the CPU on
//! a software one (a linear layer on 1280 numbers per image costs less there than an emulated
//! GPU's per-dispatch overhead). Natively both are usually one device.

use burn::prelude::*;
use burn::tensor::TensorData;

use super::TrainError;
use super::cache::read_floats;

#[derive(Clone, Debug)]
pub struct Devices {
    pub main: Device,
    pub host: Device,
}

impl Devices {
    /// Everything on one device.
    pub fn single(device: &Device) -> Self {
        Self {
            main: device.clone(),
            host: device.clone(),
        }
    }

    /// The backbone on `main`, transfer learning on the CPU.
    pub fn with_cpu_host(main: &Device) -> Self {
        Self {
            main: main.clone(),
            host: Device::flex(),
        }
    }

    pub fn main_is_host(&self) -> bool {
        self.main == self.host
    }

    /// Where the activations for `freeze_depth` are kept and the trainable part trains.
    pub fn training(&self, freeze_depth: usize) -> &Device {
        if freeze_depth == 0 {
            &self.host
        } else {
            &self.main
        }
    }

    /// Moves rows computed on `main` to where `freeze_depth` trains (a read-back when that
    /// is another device).
    pub async fn to_training(
        &self,
        rows: Tensor<2>,
        freeze_depth: usize,
    ) -> Result<Tensor<2>, TrainError> {
        move_rows(rows, self.training(freeze_depth)).await
    }
}

/// `rows` on `device`, read back and uploaded again if they live elsewhere.
pub async fn move_rows(rows: Tensor<2>, device: &Device) -> Result<Tensor<2>, TrainError> {
    if rows.device() == *device {
        return Ok(rows);
    }
    let dims = rows.dims();
    let values = read_floats(rows).await?;
    Ok(Tensor::from_data(TensorData::new(values, dims), device))
}
