//! A module moved to another device by reading each parameter back asynchronously. Saving a
//! module (burn-store) reads its tensors synchronously, which a browser cannot do for a GPU
//! tensor: a fine-tuned classifier is copied to the CPU this way before it is written.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::TensorData;

use super::TrainError;
use super::cache::read_floats;

/// Every float parameter, flattened, with its shape, in the order the module visits them.
struct Collect(Vec<(Tensor<1>, Vec<usize>)>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let dims = tensor.dims().to_vec();
        self.0.push((tensor.reshape([-1]), dims));
    }
}

/// Puts the read values back, in the same order, on `device`.
struct Replace<'a> {
    values: std::vec::IntoIter<(Vec<f32>, Vec<usize>)>,
    device: &'a Device,
}

impl ModuleMapper for Replace<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (values, dims) = self.values.next().expect("one value per parameter visited");
        let device = self.device;
        param.map(|_| Tensor::from_data(TensorData::new(values, dims), device))
    }
}

/// `module` with every float parameter on `device` (a copy; `module` is untouched).
pub async fn to_device_async<M: Module>(module: &M, device: &Device) -> Result<M, TrainError> {
    let mut collect = Collect(Vec::new());
    module.visit(&mut collect);
    let mut values = Vec::with_capacity(collect.0.len());
    for (tensor, dims) in collect.0 {
        values.push((read_floats(tensor).await?, dims));
    }
    let mut replace = Replace {
        values: values.into_iter(),
        device,
    };
    Ok(module.clone().map(&mut replace))
}
