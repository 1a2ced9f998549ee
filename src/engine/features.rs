//! The images the user added and their frozen-prefix features, computed in the background as
//! images arrive so that Train only runs the trainable part.

use std::collections::{BTreeMap, HashMap};

use ajuste::data::batch::images_to_tensor;
use ajuste::data::dataset::Sample;
use ajuste::model::EfficientNetLite0;
use ajuste::protocol::{ClassId, SampleId};
use ajuste::train::TrainError;
use ajuste::train::augment::{AugmentConfig, view};
use ajuste::train::cache::{ActivationCache, Key, frozen_prefix, read_floats};
use ajuste::train::config::TrainingConfig;
use burn::prelude::*;
use burn::tensor::TensorData;
use image::RgbImage;

use super::inbox::now_ms;

/// A batch of views should take about this long, so that a prediction request waits little
/// behind background work; but never fewer views than `MIN_BATCH`, which a software GPU
/// (seconds per view) computes ~1.5× faster per view than one at a time.
const BATCH_TARGET_MS: f64 = 250.0;
const MIN_BATCH: usize = 4;
const MAX_BATCH: usize = 16;
/// Fine-tuning activations beyond this stay in host memory (see [`ActivationCache`]).
const DEVICE_BUDGET_BYTES: usize = 512 << 20;

pub struct StoredImage {
    pub class: ClassId,
    /// At short side 256, as [`Sample`] wants it.
    pub image: RgbImage,
}

/// Where computations run: `main` is WebGPU (or the CPU without it); `host` is always the
/// CPU, where transfer learning trains: a linear head on 1280 numbers per image costs less
/// than the GPU's per-dispatch overhead.
#[derive(Clone)]
pub struct Devices {
    pub main: Device,
    pub host: Device,
    pub main_is_host: bool,
}

impl Devices {
    /// Where the activations for `freeze_depth` are kept and the trainable part trains.
    pub fn training(&self, freeze_depth: usize) -> &Device {
        if freeze_depth == 0 {
            &self.host
        } else {
            &self.main
        }
    }

    /// Moves rows computed on `main` to where `freeze_depth` trains.
    pub async fn to_training(
        &self,
        rows: Tensor<2>,
        freeze_depth: usize,
    ) -> Result<Tensor<2>, TrainError> {
        if freeze_depth > 0 || self.main_is_host {
            return Ok(rows);
        }
        let dims = rows.dims();
        let values = read_floats(rows).await?;
        Ok(Tensor::from_data(TensorData::new(values, dims), &self.host))
    }
}

pub struct Features {
    pub images: BTreeMap<SampleId, StoredImage>,
    /// Transfer-learning features are always kept (they are small); besides them, the
    /// activations of the freeze depth last asked for.
    caches: HashMap<usize, ActivationCache>,
    freeze_depth: usize,
    views: usize,
    augmentation: AugmentConfig,
    seed: u64,
    /// Views per batch, adapted to how fast the last ones went.
    batch: usize,
}

impl Features {
    pub fn new(devices: &Devices) -> Self {
        let config = TrainingConfig::default();
        let mut features = Self {
            images: BTreeMap::new(),
            caches: HashMap::new(),
            freeze_depth: 0,
            views: config.views(),
            augmentation: config.augmentation,
            seed: config.seed,
            batch: MIN_BATCH,
        };
        features.want(0, config.augment, devices);
        features
    }

    /// Which features to compute from now on.
    pub fn want(&mut self, freeze_depth: usize, augment: bool, devices: &Devices) {
        self.views = TrainingConfig::default().with_augment(augment).views();
        self.freeze_depth = freeze_depth;
        self.caches
            .retain(|&depth, _| depth == 0 || depth == freeze_depth);
        self.caches.entry(freeze_depth).or_insert_with(|| {
            let mut cache =
                ActivationCache::new(devices.training(freeze_depth), DEVICE_BUDGET_BYTES);
            cache
                .set_freeze_depth(freeze_depth)
                .expect("the page keeps the depth in range");
            cache
        });
    }

    pub fn cache(&self) -> &ActivationCache {
        &self.caches[&self.freeze_depth]
    }

    pub fn remove_sample(&mut self, id: SampleId) {
        self.images.remove(&id);
        for cache in self.caches.values_mut() {
            cache.remove_sample(id);
        }
    }

    pub fn remove_class(&mut self, class: ClassId) {
        let ids: Vec<SampleId> = self
            .images
            .iter()
            .filter(|(_, stored)| stored.class == class)
            .map(|(&id, _)| id)
            .collect();
        for id in ids {
            self.remove_sample(id);
        }
    }

    /// Views still to compute for `ids` (all images when `None`), plain views first: training
    /// needs those, and uses the augmented ones that are ready.
    pub fn missing(&self, ids: Option<&[SampleId]>, plain_only: bool) -> Vec<Key> {
        let all: Vec<SampleId>;
        let ids = match ids {
            Some(ids) => ids,
            None => {
                all = self.images.keys().copied().collect();
                &all
            }
        };
        let cache = self.cache();
        let views = if plain_only { 1 } else { self.views };
        (0..views)
            .flat_map(|view| ids.iter().map(move |&id| (id, view)))
            .filter(|key| !cache.contains(key))
            .collect()
    }

    /// (views computed, views wanted) over all images.
    pub fn progress(&self) -> (usize, usize) {
        let wanted = self.images.len() * self.views;
        (wanted - self.missing(None, false).len(), wanted)
    }

    /// (augmented views ready, augmented views wanted) for `ids`.
    pub fn augmented_progress(&self, ids: &[SampleId]) -> (usize, usize) {
        let wanted = ids.len() * (self.views - 1);
        let missing = self.missing(Some(ids), false).len() - self.missing(Some(ids), true).len();
        (wanted - missing, wanted)
    }

    /// Computes the first few of `missing`.
    pub async fn compute_some(
        &mut self,
        missing: &[Key],
        backbone: &EfficientNetLite0,
        devices: &Devices,
    ) -> Result<(), TrainError> {
        let started = now_ms();
        let keys = &missing[..missing.len().min(self.batch)];
        let inputs: Vec<Vec<f32>> = keys
            .iter()
            .map(|&(id, v)| {
                let stored = self.images.get(&id).ok_or(TrainError::UnknownSample(id))?;
                // Seeded as the core's cache seeds views, so that a view is the same image
                // whoever computes it.
                Ok(view(&stored.image, v, &self.augmentation, self.seed ^ id))
            })
            .collect::<Result<_, TrainError>>()?;
        let depth = self.freeze_depth;
        let rows = frozen_prefix(backbone, images_to_tensor(&inputs, &devices.main), depth);
        let rows = devices.to_training(rows, depth).await?;
        let cache = self.caches.get_mut(&depth).expect("want() made it");
        cache.insert_rows(keys, rows).await?;
        // Only a batch read back (transfer learning) was timed; fine-tuning activations
        // stay queued on the GPU and would look free.
        if depth == 0 {
            let per_view = (now_ms() - started) / keys.len() as f64;
            self.batch =
                ((BATCH_TARGET_MS / per_view.max(1.0)) as usize).clamp(MIN_BATCH, MAX_BATCH);
        }
        Ok(())
    }

    /// (sample, label) of the images of `classes`, label = position in `classes`.
    pub fn labelled(&self, classes: &[ClassId]) -> Vec<(SampleId, usize)> {
        self.images
            .iter()
            .filter_map(|(&id, stored)| {
                let label = classes.iter().position(|&c| c == stored.class)?;
                Some((id, label))
            })
            .collect()
    }

    /// The samples of `classes` (label = position in `classes`), for a training run.
    pub fn samples_of(&self, classes: &[ClassId]) -> Vec<Sample> {
        self.images
            .iter()
            .filter_map(|(&id, stored)| {
                let label = classes.iter().position(|&c| c == stored.class)?;
                Some(Sample {
                    id,
                    label,
                    image: stored.image.clone(),
                })
            })
            .collect()
    }
}
