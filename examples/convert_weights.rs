//! Converts the original PyTorch checkpoint into the f16 safetensors the app ships.
//!
//! cargo run --release --example convert_weights -- efficientnet-lite0-57934424.pth \
//!     www/efficientnet-lite0.safetensors

use std::path::PathBuf;

use ajuste::model::weights::{load_pytorch, save_safetensors_f16};
use burn::prelude::Device;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(pth), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: convert_weights CHECKPOINT.pth OUT.safetensors".into());
    };
    let model = load_pytorch(&pth, &Device::flex())?;
    save_safetensors_f16(&model, &out)?;
    println!(
        "wrote {} ({} bytes)",
        out.display(),
        std::fs::metadata(&out)?.len()
    );
    Ok(())
}
