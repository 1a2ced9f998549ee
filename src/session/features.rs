//! Which frozen-prefix activations to compute next, in batches sized so that a prediction
//! never waits long behind background work. The computing itself is the activation cache's
//! ([`ActivationCache::compute`]), which also decides how each view is seeded.

use std::collections::{BTreeMap, HashMap};

use ajuste_protocol::{KeptViews, MemoryPlan, SampleId};
use burn::prelude::*;
use burn::tensor::TensorData;

use crate::model::EfficientNetLite0;
use crate::model::split::entry_shape;
use crate::train::TrainError;
use crate::train::cache::{ActivationCache, Activations, ImageSource, Key, read_floats};
use crate::train::config::TrainingConfig;
use crate::train::devices::Devices;

use super::samples::SampleStore;

/// A batch of views should take about this long; but never fewer views than `MIN_BATCH`,
/// which a software GPU (seconds per view) computes ~1.5× faster per view than one at a time.
const BATCH_TARGET_MS: f64 = 250.0;
const MIN_BATCH: usize = 4;
const MAX_BATCH: usize = 16;
/// Fine-tuning activations beyond this stay in host memory (see [`ActivationCache`]).
const DEVICE_BUDGET_BYTES: usize = 512 << 20;
/// What the activations of one freeze depth may take, on the device and in host memory
/// together: a browser tab's wasm memory tops out at 4 GB, and the images, the network and
/// the page need their share. Beyond it fewer views are kept, or none ([`MemoryPlan`]).
pub const ACTIVATION_BUDGET_BYTES: u64 = 512 << 20;

pub struct FeatureScheduler {
    /// Transfer-learning features are always kept (they are small); besides them, the
    /// activations of the freeze depth last asked for.
    caches: HashMap<usize, ActivationCache>,
    freeze_depth: usize,
    /// Views, augmentation and seed: the core's defaults, as in `ajuste train`.
    config: TrainingConfig,
    /// Views per batch, adapted to how fast the last ones went.
    batch: usize,
    /// What the activations of `freeze_depth` may take ([`ACTIVATION_BUDGET_BYTES`]).
    budget_bytes: u64,
    /// Images the plan is for: every image the engine has.
    images: usize,
}

impl FeatureScheduler {
    /// `budget_bytes`: what one depth's activations may take ([`ACTIVATION_BUDGET_BYTES`]
    /// unless told otherwise).
    pub fn new(devices: &Devices, budget_bytes: u64) -> Self {
        let config = TrainingConfig::default();
        let mut scheduler = Self {
            caches: HashMap::new(),
            freeze_depth: 0,
            batch: MIN_BATCH,
            config,
            budget_bytes,
            images: 0,
        };
        scheduler
            .want(0, scheduler.config.augment, devices)
            .expect("depth 0 is always valid");
        scheduler
    }

    /// Which features to compute from now on.
    pub fn want(
        &mut self,
        freeze_depth: usize,
        augment: bool,
        devices: &Devices,
    ) -> Result<(), TrainError> {
        let mut cache = ActivationCache::new(devices.training(freeze_depth), DEVICE_BUDGET_BYTES);
        cache.set_freeze_depth(freeze_depth)?;
        self.config.augment = augment;
        self.freeze_depth = freeze_depth;
        self.caches
            .retain(|&depth, _| depth == 0 || depth == freeze_depth);
        self.caches.entry(freeze_depth).or_insert(cache);
        self.fit_plan();
        Ok(())
    }

    /// Forgets every activation that lived on a device other than `devices.host` (a lost
    /// GPU's), and starts again on `devices`.
    pub fn move_to(&mut self, devices: &Devices) {
        let host = devices.host.clone();
        self.caches.retain(|_, cache| *cache.device() == host);
        let (depth, augment) = (self.freeze_depth, self.config.augment);
        self.want(depth, augment, devices)
            .expect("the depth was valid before");
    }

    pub fn cache(&self) -> &ActivationCache {
        &self.caches[&self.freeze_depth]
    }

    pub fn budget(&self) -> u64 {
        self.budget_bytes
    }

    pub fn set_budget(&mut self, budget_bytes: u64) {
        self.budget_bytes = budget_bytes;
        self.fit_plan();
    }

    /// The engine has `images` images now.
    pub fn set_images(&mut self, images: usize) {
        self.images = images;
        self.fit_plan();
    }

    /// What the activations of the current depth take for the images there are, and what
    /// is kept of them.
    pub fn plan(&self) -> MemoryPlan {
        let floats: usize = entry_shape(self.freeze_depth).iter().product();
        MemoryPlan::new(
            self.freeze_depth,
            self.images,
            self.config.views(),
            (floats * size_of::<f32>()) as u64,
            self.budget_bytes,
        )
    }

    /// Drops what the plan no longer keeps.
    fn fit_plan(&mut self) {
        let views = self.plan().views_kept();
        if let Some(cache) = self.caches.get_mut(&self.freeze_depth) {
            cache.keep_views(views);
        }
    }

    /// Where training at the current depth gets its activations: the cache, or, when the
    /// plan keeps none, the frozen part run again at every step.
    pub fn activations<'a>(
        &'a self,
        backbone: &'a EfficientNetLite0,
        images: &'a dyn ImageSource,
    ) -> Activations<'a> {
        if self.plan().kept != KeptViews::Recomputed {
            return Activations::Cached(self.cache());
        }
        Activations::Recomputed {
            backbone,
            images,
            augmentation: &self.config.augmentation,
            seed: self.config.seed,
            freeze_depth: self.freeze_depth,
            device: backbone.device(),
        }
    }

    pub fn remove_sample(&mut self, id: SampleId) {
        for cache in self.caches.values_mut() {
            cache.remove_sample(id);
        }
    }

    /// The transfer-learning features (plain view) of those of `ids` that have them.
    pub async fn depth0_rows(
        &self,
        ids: &[SampleId],
    ) -> Result<BTreeMap<SampleId, Vec<f32>>, TrainError> {
        let cache = &self.caches[&0];
        let keys: Vec<Key> = (ids.iter().map(|&id| (id, 0)))
            .filter(|key| cache.contains(key))
            .collect();
        if keys.is_empty() {
            return Ok(BTreeMap::new());
        }
        let values = read_floats(cache.gather(&keys)?).await?;
        let length = values.len() / keys.len();
        Ok((keys.iter().map(|&(id, _)| id))
            .zip(values.chunks(length).map(<[f32]>::to_vec))
            .collect())
    }

    /// Takes transfer-learning features computed before (a stored project's) as computed.
    pub async fn restore_depth0(
        &mut self,
        rows: Vec<(SampleId, Vec<f32>)>,
    ) -> Result<(), TrainError> {
        let Some(length) = rows.first().map(|(_, row)| row.len()) else {
            return Ok(());
        };
        let cache = self.caches.get_mut(&0).expect("depth 0 is always kept");
        let keys: Vec<Key> = rows.iter().map(|&(id, _)| (id, 0)).collect();
        let values: Vec<f32> = rows.into_iter().flat_map(|(_, row)| row).collect();
        let data = TensorData::new(values, [keys.len(), length]);
        let tensor = Tensor::from_data(data, cache.device());
        cache.insert_rows(&keys, tensor).await
    }

    /// Views still to compute for `ids`, plain views first: training needs those, and uses
    /// whichever augmented ones are ready.
    pub fn missing(&self, ids: &[SampleId], plain_only: bool) -> Vec<Key> {
        let kept = self.plan().views_kept();
        let views = if plain_only { kept.min(1) } else { kept };
        self.cache().missing(ids, views)
    }

    /// (views computed, views wanted) for `ids`.
    pub fn progress(&self, ids: &[SampleId]) -> (usize, usize) {
        let wanted = ids.len() * self.plan().views_kept();
        (wanted - self.missing(ids, false).len(), wanted)
    }

    /// (augmented views ready, augmented views wanted) for `ids`.
    pub fn augmented_progress(&self, ids: &[SampleId]) -> (usize, usize) {
        let wanted = ids.len() * self.plan().views_kept().saturating_sub(1);
        let missing = self.missing(ids, false).len() - self.missing(ids, true).len();
        (wanted - missing, wanted)
    }

    /// Computes the next batch of `missing`; `now` (milliseconds) times it, to size the next
    /// batch.
    pub async fn compute_batch(
        &mut self,
        missing: &[Key],
        backbone: &EfficientNetLite0,
        samples: &SampleStore,
        now: &dyn Fn() -> f64,
    ) -> Result<(), TrainError> {
        let started = now();
        let keys = &missing[..missing.len().min(self.batch)];
        let cache = self
            .caches
            .get_mut(&self.freeze_depth)
            .expect("want() made it");
        cache
            .compute(
                backbone,
                samples,
                keys,
                &self.config.augmentation,
                self.config.seed,
            )
            .await?;
        // Only a batch that was read back (transfer learning) was timed: fine-tuning
        // activations stay queued on the GPU and would look free.
        if self.freeze_depth == 0 {
            let per_view = (now() - started) / keys.len() as f64;
            self.batch =
                ((BATCH_TARGET_MS / per_view.max(1.0)) as usize).clamp(MIN_BATCH, MAX_BATCH);
        }
        Ok(())
    }
}
