//! Preprocessed images → a batch tensor.

use burn::prelude::*;
use burn::tensor::TensorData;

use crate::model::INPUT_SIZE;

/// Stacks `[3, 224, 224]` inputs (as [`super::image::to_input`] makes them) into
/// `[n, 3, 224, 224]`.
pub fn images_to_tensor(inputs: &[Vec<f32>], device: &Device) -> Tensor<4> {
    let plane = 3 * INPUT_SIZE * INPUT_SIZE;
    let mut values = Vec::with_capacity(inputs.len() * plane);
    for input in inputs {
        assert_eq!(input.len(), plane, "an input is [3, 224, 224]");
        values.extend_from_slice(input);
    }
    let data = TensorData::new(values, [inputs.len(), 3, INPUT_SIZE, INPUT_SIZE]);
    Tensor::from_data(data, device)
}

/// A `[rows, columns]` tensor read back as rows (synchronous: native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn rows(tensor: Tensor<2>) -> Vec<Vec<f32>> {
    let [_, columns] = tensor.dims();
    let values = tensor
        .into_data()
        .try_into_vec::<f32>()
        .expect("float tensor");
    values.chunks(columns).map(<[f32]>::to_vec).collect()
}
