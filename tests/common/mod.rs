//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses its own subset

pub mod engine;
pub mod synthetic;
pub mod zips;

use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

pub fn shipped_weights() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("www")
        .join("efficientnet-lite0.safetensors")
}

/// The original PyTorch checkpoint: `AJUSTE_PTH`, or where `tools/fetch-pth.sh` puts it.
pub fn pytorch_checkpoint() -> PathBuf {
    let path = std::env::var_os("AJUSTE_PTH")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/ajuste-weights/efficientnet-lite0-57934424.pth")
        });
    assert!(
        path.exists(),
        "{} is missing: run tools/fetch-pth.sh (or set AJUSTE_PTH)",
        path.display()
    );
    path
}

#[derive(serde::Deserialize)]
pub struct Reference {
    pub image: String,
    pub features: Vec<f32>,
    pub logits: Vec<f32>,
    pub top1: usize,
}

/// PyTorch outputs for the fixture photos, written by `tools/reference.py --fixtures`.
pub fn references() -> Vec<Reference> {
    let text = std::fs::read_to_string(fixtures().join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn max_abs_difference(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

pub fn argmax(values: &[f32]) -> usize {
    (0..values.len())
        .max_by(|&i, &j| values[i].total_cmp(&values[j]))
        .unwrap()
}
