//! Training from start to end in one call: what `ajuste train` runs. The page's session runs
//! the same [`Trainer`] a step per time slice, so both get the same split, the same kept
//! model and the same metrics.

use burn::prelude::*;

use super::TrainError;
use super::cache::Activations;
use super::config::TrainingConfig;
use super::trainer::{FitOutcome, TrainEvent, Trainer};
use crate::model::EfficientNetLite0;

/// Trains on `items` (sample id, label) and evaluates the kept model; `on_event` hears every
/// step and epoch (for progress display).
pub async fn fit(
    backbone: &EfficientNetLite0,
    classes: &[String],
    items: &[(u64, usize)],
    activations: &Activations<'_>,
    config: TrainingConfig,
    device: &Device,
    mut on_event: impl FnMut(&TrainEvent),
) -> Result<FitOutcome, TrainError> {
    let mut trainer = Trainer::new(backbone, classes, items, activations, config, device)?;
    loop {
        let event = trainer.step(activations).await?;
        on_event(&event);
        if event == TrainEvent::Finished {
            return trainer.finish(activations).await;
        }
    }
}
