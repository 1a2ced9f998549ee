//! Argument parsing and the things every command shares: weights, images, output.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ajuste::data::image::preprocess;
use ajuste::model::EfficientNetLite0;
use ajuste::model::weights::{load_file, load_safetensors};
use burn::prelude::Device;
use clap::{Parser, Subcommand};

use crate::{backbone_commands, train_commands};

/// The weights the web app ships, built into the binary so that it works from anywhere.
const SHIPPED_WEIGHTS: &[u8] = include_bytes!("../../../www/efficientnet-lite0.safetensors");

#[derive(Parser)]
#[command(
    name = "ajuste",
    version,
    about = "EfficientNet-Lite0 transfer learning and fine-tuning"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
pub struct BackboneArgs {
    /// Images (JPEG, PNG, WebP, GIF, BMP).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Weights: the original `.pth` checkpoint or a `.safetensors` file (default: the f16
    /// weights the app ships).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Images per forward pass.
    #[arg(long, default_value_t = 16)]
    pub batch_size: usize,
}

#[derive(clap::Args)]
pub struct TrainArgs {
    /// Training images: a folder with one sub-folder per class, or a project file
    /// (`.ajuste`, its enabled classes; its settings are the defaults of the options below).
    #[arg(long)]
    pub data: PathBuf,
    /// Held-out test images, laid out like --data.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Use only K training images per class (drawn with --seed).
    #[arg(long)]
    pub shots: Option<usize>,
    /// Trainable last blocks of the backbone (0 = transfer learning, head only) [default: 0,
    /// or a project's setting].
    #[arg(long)]
    pub freeze_depth: Option<usize>,
    #[arg(long)]
    pub epochs: Option<usize>,
    #[arg(long)]
    pub learning_rate: Option<f64>,
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Share of each class held out to pick the best epoch (0 trains on everything) [default:
    /// 0.15 from 50 images per class on, else 0].
    #[arg(long)]
    pub validation_share: Option<f64>,
    /// Augmented views computed per training image (the first is its mirror image).
    #[arg(long)]
    pub views: Option<usize>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Train on the plain images only.
    #[arg(long)]
    pub no_augment: bool,
    /// Predict on each image alone, not also on its mirror image (half the prediction time).
    #[arg(long)]
    pub no_test_time_flip: bool,
    /// Where to write the result: a project file (`.ajuste`: images, settings, report and
    /// classifier), or a directory (the classifier alone).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[arg(long)]
    pub weights: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
}

#[derive(clap::Args)]
pub struct PredictArgs {
    /// A directory written by `ajuste train --out`, or a project file (`.ajuste`) with a
    /// trained classifier.
    #[arg(long)]
    pub model: PathBuf,
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    #[arg(long)]
    pub weights: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    pub backend: Backend,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Backend {
    /// wgpu when a hardware GPU adapter exists, the CPU otherwise.
    Auto,
    Cpu,
    Wgpu,
}

#[derive(Subcommand)]
enum Command {
    /// Top-5 ImageNet classes of each image.
    Imagenet(BackboneArgs),
    /// The pooled 1280-d feature vector of each image.
    Embed(BackboneArgs),
    /// Train a classifier on folders of images (one sub-folder per class) or a project file.
    Train(TrainArgs),
    /// Classify images with a classifier written by `train --out` (a directory or a project).
    Predict(PredictArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Imagenet(args) => backbone_commands::imagenet(&args),
        Command::Embed(args) => backbone_commands::embed(&args),
        Command::Train(args) => device(args.backend).and_then(|d| train_commands::train(&args, &d)),
        Command::Predict(args) => {
            device(args.backend).and_then(|d| train_commands::predict(&args, &d))
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("ajuste: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The backbone commands run on the CPU: their outputs are compared against PyTorch's.
pub fn cpu() -> Device {
    Device::flex()
}

/// Whether wgpu sees a real GPU. Software adapters (llvmpipe, SwiftShader) are far slower
/// than burn's own CPU backend, so `auto` must not pick them. Hardware GPUs all sit on
/// the primary APIs (Vulkan, Metal, DX12); probing GL only prints EGL noise.
fn hardware_gpu_present() -> bool {
    use burn::tensor::wgpu::wgpu;
    let adapters =
        pollster::block_on(wgpu::Instance::default().enumerate_adapters(wgpu::Backends::PRIMARY));
    adapters.iter().any(|adapter| {
        matches!(
            adapter.get_info().device_type,
            wgpu::DeviceType::DiscreteGpu
                | wgpu::DeviceType::IntegratedGpu
                | wgpu::DeviceType::VirtualGpu
        )
    })
}

pub fn device(backend: Backend) -> Result<Device, String> {
    let gpu = || {
        Device::wgpu_options()
            .init()
            .map_err(|e| format!("no usable GPU adapter: {e}"))
    };
    match backend {
        Backend::Cpu => Ok(cpu()),
        Backend::Wgpu => gpu(),
        Backend::Auto if hardware_gpu_present() => gpu(),
        Backend::Auto => Ok(cpu()),
    }
}

pub fn load_backbone(weights: Option<&Path>, device: &Device) -> Result<EfficientNetLite0, String> {
    let model = match weights {
        Some(path) => load_file(path, device),
        None => load_safetensors(SHIPPED_WEIGHTS.to_vec(), device),
    };
    model.map_err(|e| e.to_string())
}

/// Reads and preprocesses every image; the ones that fail are reported on stderr and left out.
pub fn read_images(paths: &[PathBuf]) -> (Vec<(PathBuf, Vec<f32>)>, usize) {
    let mut inputs = Vec::with_capacity(paths.len());
    let mut failures = 0;
    for path in paths {
        let result = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| preprocess(&bytes).map_err(|e| e.to_string()));
        match result {
            Ok(input) => inputs.push((path.clone(), input)),
            Err(message) => {
                eprintln!("ajuste: {}: {message}", path.display());
                failures += 1;
            }
        }
    }
    (inputs, failures)
}

pub fn exit_code(failures: usize) -> ExitCode {
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
