//! Int8 weights with one scale per output channel, turned back into f32 on load.
//!
//! The page's weights file (made by `tools/quantize-weights.mjs`) keeps its largest matrices as
//! `I8` tensors, each with an `F32` tensor `<name>.scale` of the same rank whose sizes are 1
//! except along the output-channel axis: `w = q · scale`. Burn's safetensors reader has no int8
//! weights, so this rewrites the file's bytes into an ordinary one (those tensors as `F32`,
//! every other tensor as it was) before the reader sees them. A file without `I8` tensors
//! passes through untouched.

use serde_json::{Map, Value};

/// Suffix of the scale tensor that belongs to an `I8` tensor.
pub const SCALE_SUFFIX: &str = ".scale";

#[derive(Debug, thiserror::Error)]
pub enum DequantizeError {
    #[error("not a safetensors file: {0}")]
    Header(String),
    #[error("tensor {name}: {problem}")]
    Tensor { name: String, problem: String },
}

fn tensor_error(name: &str, problem: impl Into<String>) -> DequantizeError {
    DequantizeError::Tensor {
        name: name.to_string(),
        problem: problem.into(),
    }
}

/// One tensor's header entry, its bytes checked to lie within the data section.
struct Entry<'a> {
    dtype: &'a str,
    shape: Vec<usize>,
    bytes: &'a [u8],
}

fn entry<'a>(name: &str, value: &'a Value, data: &'a [u8]) -> Result<Entry<'a>, DequantizeError> {
    let dtype = value["dtype"]
        .as_str()
        .ok_or_else(|| tensor_error(name, "no dtype"))?;
    let numbers = |key: &str| -> Result<Vec<usize>, DequantizeError> {
        value[key]
            .as_array()
            .ok_or_else(|| tensor_error(name, format!("no {key}")))?
            .iter()
            .map(|n| {
                n.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| tensor_error(name, format!("a bad number in {key}")))
            })
            .collect()
    };
    let shape = numbers("shape")?;
    let offsets = numbers("data_offsets")?;
    let [start, end] = offsets[..] else {
        return Err(tensor_error(name, "data_offsets is not [start, end]"));
    };
    let bytes = data
        .get(start..end)
        .ok_or_else(|| tensor_error(name, "its data lies outside the file"))?;
    Ok(Entry {
        dtype,
        shape,
        bytes,
    })
}

/// The f32 values of `quantized` (int8) times its per-channel `scale`.
fn dequantize_tensor(
    name: &str,
    quantized: &Entry,
    scale: &Entry,
) -> Result<Vec<u8>, DequantizeError> {
    let count: usize = quantized.shape.iter().product();
    if quantized.bytes.len() != count {
        return Err(tensor_error(name, "its data does not match its shape"));
    }
    if scale.dtype != "F32" || scale.shape.len() != quantized.shape.len() {
        return Err(tensor_error(
            name,
            "its scale must be F32 with the tensor's rank",
        ));
    }
    // The channel axis: the one where the scale has more than one value (none: one scale).
    let axis = scale.shape.iter().position(|&size| size != 1);
    let channels = axis.map_or(1, |axis| quantized.shape[axis]);
    let fits = scale
        .shape
        .iter()
        .enumerate()
        .all(|(d, &size)| size == 1 || (Some(d) == axis && size == channels));
    if !fits || scale.bytes.len() != 4 * channels {
        return Err(tensor_error(
            name,
            "its scale has one value per output channel",
        ));
    }
    let scales: Vec<f32> = scale
        .bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let inner: usize = axis.map_or(1, |axis| quantized.shape[axis + 1..].iter().product());
    let mut out = Vec::with_capacity(4 * count);
    for (i, &q) in quantized.bytes.iter().enumerate() {
        let value = f32::from(q as i8) * scales[(i / inner) % channels];
        out.extend_from_slice(&value.to_le_bytes());
    }
    Ok(out)
}

/// The safetensors file `bytes` with every `I8` tensor turned into `F32` (and its scale
/// dropped); the bytes themselves when it has none.
pub fn dequantize(bytes: Vec<u8>) -> Result<Vec<u8>, DequantizeError> {
    let header_len = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        .ok_or_else(|| DequantizeError::Header("shorter than its header".into()))?;
    let data_start = usize::try_from(header_len)
        .ok()
        .and_then(|len| len.checked_add(8))
        .filter(|&start| start <= bytes.len())
        .ok_or_else(|| DequantizeError::Header("the header runs past the end".into()))?;
    let header: Map<String, Value> = serde_json::from_slice(&bytes[8..data_start])
        .map_err(|e| DequantizeError::Header(e.to_string()))?;
    let is_int8 = |value: &Value| value["dtype"].as_str() == Some("I8");
    if !header.values().any(is_int8) {
        return Ok(bytes);
    }
    let data = &bytes[data_start..];

    let mut out_header = Map::new();
    let mut out_data = Vec::with_capacity(2 * data.len());
    for (name, value) in &header {
        if name == "__metadata__" {
            out_header.insert(name.clone(), value.clone());
            continue;
        }
        let scale_of_int8 = name
            .strip_suffix(SCALE_SUFFIX)
            .and_then(|base| header.get(base))
            .is_some_and(is_int8);
        if scale_of_int8 {
            continue;
        }
        let tensor = entry(name, value, data)?;
        let (dtype, tensor_bytes) = if tensor.dtype == "I8" {
            let scale_name = format!("{name}{SCALE_SUFFIX}");
            let scale = header
                .get(&scale_name)
                .ok_or_else(|| tensor_error(name, format!("no {scale_name}")))?;
            let scale = entry(&scale_name, scale, data)?;
            ("F32", dequantize_tensor(name, &tensor, &scale)?)
        } else {
            (tensor.dtype, tensor.bytes.to_vec())
        };
        let start = out_data.len();
        out_data.extend_from_slice(&tensor_bytes);
        out_header.insert(
            name.clone(),
            serde_json::json!({
                "dtype": dtype,
                "shape": tensor.shape,
                "data_offsets": [start, out_data.len()],
            }),
        );
    }
    let mut json = serde_json::to_vec(&out_header).expect("a JSON map serialises");
    // The data section starts 8-byte aligned, as safetensors writes it.
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + json.len() + out_data.len());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&out_data);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A safetensors file of `(name, dtype, shape, bytes)`.
    fn file(tensors: &[(&str, &str, Vec<usize>, Vec<u8>)]) -> Vec<u8> {
        let mut header = Map::new();
        let mut data = Vec::new();
        for (name, dtype, shape, bytes) in tensors {
            let start = data.len();
            data.extend_from_slice(bytes);
            header.insert(
                name.to_string(),
                serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
            );
        }
        let json = serde_json::to_vec(&header).unwrap();
        let mut out = (json.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(&json);
        out.extend_from_slice(&data);
        out
    }

    fn f32_bytes(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn tensor(bytes: &[u8], name: &str) -> (String, Vec<usize>, Vec<u8>) {
        let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        assert_eq!(len % 8, 0, "aligned data section");
        let header: Map<String, Value> = serde_json::from_slice(&bytes[8..8 + len]).unwrap();
        let data = &bytes[8 + len..];
        let e = entry(name, &header[name], data).unwrap();
        (e.dtype.to_string(), e.shape, e.bytes.to_vec())
    }

    #[test]
    fn int8_tensors_become_f32_per_channel_and_the_rest_stays() {
        // [2, 3] with a scale per row (axis 0) and a [3, 2] with a scale per column (axis 1).
        let rows: Vec<u8> = [1i8, -2, 127, 0, 5, -127]
            .iter()
            .map(|&q| q as u8)
            .collect();
        let columns: Vec<u8> = [1i8, 1, 2, 2, -3, -3].iter().map(|&q| q as u8).collect();
        let half = vec![0x00, 0x3c, 0x00, 0xc0]; // f16 1.0, -2.0
        let bytes = file(&[
            ("rows", "I8", vec![2, 3], rows),
            ("rows.scale", "F32", vec![2, 1], f32_bytes(&[0.5, 2.0])),
            ("columns", "I8", vec![3, 2], columns),
            ("columns.scale", "F32", vec![1, 2], f32_bytes(&[1.0, 0.25])),
            ("bias", "F16", vec![2], half.clone()),
        ]);
        let out = dequantize(bytes).unwrap();
        let (dtype, shape, data) = tensor(&out, "rows");
        assert_eq!((dtype.as_str(), shape), ("F32", vec![2, 3]));
        assert_eq!(data, f32_bytes(&[0.5, -1.0, 63.5, 0.0, 10.0, -254.0]));
        let (_, _, data) = tensor(&out, "columns");
        assert_eq!(data, f32_bytes(&[1.0, 0.25, 2.0, 0.5, -3.0, -0.75]));
        assert_eq!(tensor(&out, "bias"), ("F16".into(), vec![2], half));
        let len = u64::from_le_bytes(out[..8].try_into().unwrap()) as usize;
        let header: Map<String, Value> = serde_json::from_slice(&out[8..8 + len]).unwrap();
        assert!(!header.contains_key("rows.scale"), "scales are consumed");
    }

    #[test]
    fn a_file_without_int8_passes_through_unchanged() {
        let bytes = file(&[("w", "F16", vec![1], vec![0x00, 0x3c])]);
        assert_eq!(dequantize(bytes.clone()).unwrap(), bytes);
    }

    #[test]
    fn broken_files_are_typed_errors() {
        let q = vec![1u8, 2];
        let missing_scale = file(&[("w", "I8", vec![2, 1], q.clone())]);
        let wrong_scale = file(&[
            ("w", "I8", vec![2, 1], q.clone()),
            ("w.scale", "F32", vec![3, 1], f32_bytes(&[1.0; 3])),
        ]);
        let f16_scale = file(&[
            ("w", "I8", vec![2, 1], q.clone()),
            ("w.scale", "F16", vec![2, 1], vec![0; 4]),
        ]);
        let short_data = file(&[
            ("w", "I8", vec![4, 1], q),
            ("w.scale", "F32", vec![4, 1], f32_bytes(&[1.0; 4])),
        ]);
        for (bytes, expected) in [
            (missing_scale, "no w.scale"),
            (wrong_scale, "one value per output channel"),
            (f16_scale, "must be F32"),
            (short_data, "does not match its shape"),
        ] {
            let error = dequantize(bytes).expect_err(expected).to_string();
            assert!(
                error.contains("tensor w") && error.contains(expected),
                "{error}"
            );
        }
        let mut outside = file(&[
            ("w", "I8", vec![2, 1], vec![1, 2]),
            ("w.scale", "F32", vec![2, 1], f32_bytes(&[1.0; 2])),
        ]);
        outside.truncate(outside.len() - 3);
        let error = dequantize(outside).unwrap_err().to_string();
        assert!(error.contains("outside the file"), "{error}");
        for bytes in [
            vec![1, 2, 3],
            vec![255; 16],
            b"\x04\0\0\0\0\0\0\0nope".to_vec(),
        ] {
            let error = dequantize(bytes).unwrap_err();
            assert!(matches!(error, DequantizeError::Header(_)), "{error}");
        }
    }
}
