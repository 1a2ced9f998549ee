//! Background work, a piece at a time: a training step, or features for a few images.

use ajuste_protocol::{EngineError, Event, SampleId};

use super::Session;

impl Session {
    /// One piece of background work (a training step, or features for a few images);
    /// false when there is nothing to do.
    pub async fn work(&mut self) -> bool {
        if self.announce_some() {
            return true;
        }
        let Some(run) = &self.run else {
            if self.features_stalled {
                return false;
            }
            let ids = self.samples.ids();
            return self.compute_features(&ids, false).await;
        };
        if run.is_training() {
            let now = self.now();
            let run = self.run.as_mut().expect("checked above");
            let activations = self.features.activations(&self.backbone, &self.samples);
            let outcome = run.step(&activations, now, &mut self.events).await;
            self.conclude(outcome);
            return true;
        }
        let ids = run.sample_ids();
        if self.compute_features(&ids, true).await {
            return true;
        }
        let augmented = self.features.augmented_progress(&ids);
        let plan = self.features.plan();
        let now = self.now();
        let Some(run) = self.run.as_mut() else {
            return true;
        };
        let activations = self.features.activations(&self.backbone, &self.samples);
        if let Err(error) = run.start(&self.backbone, &activations, &plan, augmented, now) {
            self.conclude(Err(error));
        }
        true
    }

    /// A batch of the features still missing for `ids`; false when none are.
    async fn compute_features(&mut self, ids: &[SampleId], plain_only: bool) -> bool {
        let missing = self.features.missing(ids, plain_only);
        if missing.is_empty() {
            return false;
        }
        let clock = &self.clock;
        let computed = self
            .features
            .compute_batch(&missing, &self.backbone, &self.samples, clock.as_ref())
            .await;
        match computed {
            Ok(()) => self.report_features(),
            Err(error) => match self.device_error(error) {
                // Reported, and the engine moved to the CPU: the work goes on there.
                EngineError::DeviceLost(_) => {}
                error if self.run.is_some() => {
                    self.emit(Event::TrainingFailed(error));
                    self.end_run();
                }
                error => {
                    self.emit(Event::FeaturesFailed(error));
                    self.features_stalled = true;
                }
            },
        }
        true
    }
}
