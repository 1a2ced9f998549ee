//! Activations at the freeze boundary, computed once per image and view.
//!
//! The frozen prefix is a pure function of the image, so each epoch only runs the
//! trainable suffix on these. Entries stay on the device up to a byte budget and move to
//! host memory beyond it.

use std::borrow::Cow;
use std::collections::HashMap;

use burn::prelude::*;
use burn::tensor::TensorData;

use image::RgbImage;

use super::TrainError;
use super::augment::{AugmentConfig, view};
use super::devices::move_rows;
use crate::data::batch::images_to_tensor;
use crate::data::dataset::Dataset;
use crate::model::EfficientNetLite0;
use crate::model::split::{entry_shape, frozen_prefix};

/// (sample id, view): view 0 is the plain image, the others augmented.
pub type Key = (u64, usize);

/// Where the cache finds a sample's image (at short side 256) by id: borrowed where it is
/// kept decoded, decoded for the occasion where it is kept compressed.
pub trait ImageSource {
    fn image(&self, id: u64) -> Option<Cow<'_, RgbImage>>;

    fn contains(&self, id: u64) -> bool;
}

impl ImageSource for Dataset {
    fn image(&self, id: u64) -> Option<Cow<'_, RgbImage>> {
        let sample = self.samples.iter().find(|s| s.id == id)?;
        Some(Cow::Borrowed(&sample.image))
    }

    fn contains(&self, id: u64) -> bool {
        self.samples.iter().any(|s| s.id == id)
    }
}

enum Stored {
    Device(Box<Tensor<1>>),
    Host(Vec<f32>),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CacheMemory {
    pub entries: usize,
    pub device_bytes: usize,
    pub host_bytes: usize,
}

pub struct ActivationCache {
    freeze_depth: usize,
    entries: HashMap<Key, Stored>,
    device_budget_bytes: usize,
    memory: CacheMemory,
    device: Device,
}

impl ActivationCache {
    pub fn new(device: &Device, device_budget_bytes: usize) -> Self {
        Self {
            freeze_depth: 0,
            entries: HashMap::new(),
            device_budget_bytes,
            memory: CacheMemory::default(),
            device: device.clone(),
        }
    }

    pub fn freeze_depth(&self) -> usize {
        self.freeze_depth
    }

    /// Where the entries live (and where training on them runs).
    pub fn device(&self) -> &Device {
        &self.device
    }

    pub fn memory(&self) -> CacheMemory {
        self.memory
    }

    /// Entries computed at another depth are useless: drop them all.
    pub fn set_freeze_depth(&mut self, freeze_depth: usize) -> Result<(), TrainError> {
        ajuste_protocol::check_freeze_depth(freeze_depth)?;
        if freeze_depth != self.freeze_depth {
            self.clear();
            self.freeze_depth = freeze_depth;
        }
        Ok(())
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.memory = CacheMemory::default();
    }

    /// Forgets every view of a sample (when the user deletes the image).
    pub fn remove_sample(&mut self, id: u64) {
        let keys: Vec<Key> = self
            .entries
            .keys()
            .filter(|(sample, _)| *sample == id)
            .copied()
            .collect();
        for key in keys {
            if let Some(stored) = self.entries.remove(&key) {
                self.account(&stored, -1);
            }
        }
    }

    pub fn contains(&self, key: &Key) -> bool {
        self.entries.contains_key(key)
    }

    /// Forgets every view from `views` on (memory ran short: fewer views are kept).
    pub fn keep_views(&mut self, views: usize) {
        let dropped: Vec<Key> = (self.entries.keys())
            .filter(|(_, view)| *view >= views)
            .copied()
            .collect();
        for key in dropped {
            if let Some(stored) = self.entries.remove(&key) {
                self.account(&stored, -1);
            }
        }
    }

    /// Every key held, sorted.
    pub fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.entries.keys().copied().collect();
        keys.sort_unstable();
        keys
    }

    fn entry_len(&self) -> usize {
        entry_shape(self.freeze_depth).iter().product()
    }

    fn account(&mut self, stored: &Stored, sign: isize) {
        let bytes = self.entry_len() * size_of::<f32>();
        let entries = &mut self.memory.entries;
        *entries = entries.wrapping_add_signed(sign);
        let counter = match stored {
            Stored::Device(_) => &mut self.memory.device_bytes,
            Stored::Host(_) => &mut self.memory.host_bytes,
        };
        *counter = counter.wrapping_add_signed(sign * bytes as isize);
    }

    /// Keys of `ids` × `views` not computed yet, plain views of every id first.
    pub fn missing(&self, ids: &[u64], views: usize) -> Vec<Key> {
        (0..views)
            .flat_map(|view| ids.iter().map(move |&id| (id, view)))
            .filter(|key| !self.contains(key))
            .collect()
    }

    /// Runs the frozen prefix on `keys` (one batch) on `backbone`'s device and stores the
    /// results on the cache's.
    pub async fn compute(
        &mut self,
        backbone: &EfficientNetLite0,
        images: &impl ImageSource,
        keys: &[Key],
        augmentation: &AugmentConfig,
        seed: u64,
    ) -> Result<(), TrainError> {
        let device = backbone.device();
        let batch = view_batch(images, keys, augmentation, seed, &device)?;
        let rows = frozen_prefix(backbone, batch, self.freeze_depth);
        let rows = move_rows(rows, &self.device).await?;
        self.insert_rows(keys, rows).await
    }

    /// Stores row `i` of `rows` (`[keys.len(), entry length]`) under `keys[i]`.
    pub async fn insert_rows(&mut self, keys: &[Key], rows: Tensor<2>) -> Result<(), TrainError> {
        let [count, length] = rows.dims();
        if count != keys.len() || length != self.entry_len() {
            return Err(TrainError::ShapeMismatch {
                expected: [keys.len(), self.entry_len()],
                actual: [count, length],
            });
        }
        let bytes_needed = count * length * size_of::<f32>();
        let stored: Vec<Stored> = if self.memory.device_bytes + bytes_needed
            <= self.device_budget_bytes
        {
            (0..count)
                .map(|i| Stored::Device(Box::new(rows.clone().narrow(0, i, 1).reshape([length]))))
                .collect()
        } else {
            let values = read_floats(rows).await?;
            values
                .chunks(length)
                .map(|row| Stored::Host(row.to_vec()))
                .collect()
        };
        for (key, stored) in keys.iter().zip(stored) {
            self.account(&stored, 1);
            if let Some(previous) = self.entries.insert(*key, stored) {
                self.account(&previous, -1);
            }
        }
        Ok(())
    }

    /// `[keys.len(), entry length]` on the cache's device.
    pub fn gather(&self, keys: &[Key]) -> Result<Tensor<2>, TrainError> {
        let length = self.entry_len();
        let rows = keys
            .iter()
            .map(|key| match self.entries.get(key) {
                Some(Stored::Device(row)) => Ok(row.as_ref().clone()),
                Some(Stored::Host(values)) => Ok(Tensor::from_data(
                    TensorData::new(values.clone(), [length]),
                    &self.device,
                )),
                None => Err(TrainError::NotCached(key.0)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Tensor::stack(rows, 0))
    }
}

/// The images of `keys` as the network sees them. This is the one place that seeds views:
/// per sample, so that a view is the same image whoever computes it, whenever.
fn view_batch(
    images: &(impl ImageSource + ?Sized),
    keys: &[Key],
    augmentation: &AugmentConfig,
    seed: u64,
    device: &Device,
) -> Result<Tensor<4>, TrainError> {
    let inputs: Vec<Vec<f32>> = keys
        .iter()
        .map(|&(id, v)| {
            let image = images.image(id).ok_or(TrainError::UnknownSample(id))?;
            Ok(view(&image, v, augmentation, seed ^ id))
        })
        .collect::<Result<_, TrainError>>()?;
    Ok(images_to_tensor(&inputs, device))
}

/// Where the trainer gets boundary activations: the cache, or the frozen prefix run again
/// at every step (what the cache must reproduce, and the benchmarks' baseline).
pub enum Activations<'a> {
    Cached(&'a ActivationCache),
    Recomputed {
        backbone: &'a EfficientNetLite0,
        images: &'a dyn ImageSource,
        augmentation: &'a AugmentConfig,
        seed: u64,
        freeze_depth: usize,
        device: Device,
    },
}

impl Activations<'_> {
    pub fn freeze_depth(&self) -> usize {
        match self {
            Self::Cached(cache) => cache.freeze_depth(),
            Self::Recomputed { freeze_depth, .. } => *freeze_depth,
        }
    }

    /// Where the activations come out, and so where training on them runs.
    pub fn device(&self) -> Device {
        match self {
            Self::Cached(cache) => cache.device().clone(),
            Self::Recomputed { device, .. } => device.clone(),
        }
    }

    pub fn contains(&self, key: &Key) -> bool {
        match self {
            Self::Cached(cache) => cache.contains(key),
            Self::Recomputed { images, .. } => images.contains(key.0),
        }
    }

    pub fn gather(&self, keys: &[Key]) -> Result<Tensor<2>, TrainError> {
        match self {
            Self::Cached(cache) => cache.gather(keys),
            Self::Recomputed {
                backbone,
                images,
                augmentation,
                seed,
                freeze_depth,
                device,
            } => {
                let batch = view_batch(*images, keys, augmentation, *seed, device)?;
                Ok(frozen_prefix(backbone, batch, *freeze_depth))
            }
        }
    }
}

pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, TrainError> {
    let data = tensor
        .into_data_async()
        .await
        .map_err(|e| TrainError::Device(e.to_string()))?;
    data.try_into_vec::<f32>()
        .map_err(|e| TrainError::Device(format!("{e:?}")))
}
