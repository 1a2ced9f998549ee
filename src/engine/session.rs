//! The engine loop: start-up, then forever: handle the commands that arrived, then do one
//! slice of background work (a training step, or features for a few images), then let the
//! worker's event loop run.

use ajuste::data::image::resize_short_side;
use ajuste::model::EfficientNetLite0;
use ajuste::model::weights::load_safetensors;
use ajuste::protocol::{Backend, Command, Event, ImageEncoding};
use burn::prelude::Device;

use super::features::{Devices, Features, StoredImage};
use super::inbox::{Inbox, Message, now_ms, send, yield_to_event_loop};
use super::predict::{TrainedClassifier, image_from, predict};
use super::training::{Outcome, TrainingRun};
use super::{backend, weights_download};

/// Served next to index.html; Trunk copies it from `www/`.
const WEIGHTS_URL: &str = "efficientnet-lite0.safetensors";
/// Background work runs this long before the loop lets messages in.
const SLICE_MS: f64 = 8.0;

struct Engine {
    devices: Devices,
    backbone: EfficientNetLite0,
    features: Features,
    classifier: Option<TrainedClassifier>,
    training: Option<TrainingRun>,
    /// Background feature extraction failed: it waits for the next command rather than
    /// failing again in a loop.
    features_stalled: bool,
    /// Images the user deleted during a training run, forgotten once it ends: the run
    /// still reads their features.
    deferred_removals: Vec<Command>,
}

async fn start() -> Result<Engine, String> {
    let (main, backend) = backend::init().await;
    send(&Event::Backend(backend));
    let reported = std::cell::Cell::new(0);
    let bytes = weights_download::fetch_with_progress(WEIGHTS_URL, |loaded, total| {
        // Every 2% is plenty for a progress bar.
        if loaded - reported.get() >= total.unwrap_or(u64::MAX) / 50 || Some(loaded) == total {
            reported.set(loaded);
            send(&Event::WeightsProgress { loaded, total });
        }
    })
    .await?;
    let backbone = load_safetensors(bytes, &main).map_err(|e| e.to_string())?;
    let devices = Devices {
        main_is_host: backend == Backend::Cpu,
        host: if backend == Backend::Cpu {
            main.clone()
        } else {
            Device::flex()
        },
        main,
    };
    // Compiles the shaders now, while the user is still adding images.
    let blank = image::RgbImage::new(256, 256);
    predict(&blank, &backbone, None, &devices).await?;
    Ok(Engine {
        features: Features::new(&devices),
        devices,
        backbone,
        classifier: None,
        training: None,
        features_stalled: false,
        deferred_removals: Vec::new(),
    })
}

pub async fn run(mut inbox: Inbox) {
    let mut engine = match start().await {
        Ok(engine) => engine,
        Err(message) => {
            send(&Event::Fatal(message));
            return;
        }
    };
    send(&Event::Ready);
    engine.report_features();
    loop {
        while let Some(message) = inbox.try_next() {
            engine.handle(message).await;
        }
        let slice_started = now_ms();
        let mut worked = false;
        while now_ms() - slice_started < SLICE_MS && engine.work().await {
            worked = true;
        }
        if worked {
            yield_to_event_loop().await;
        } else {
            match inbox.next().await {
                Some(message) => engine.handle(message).await,
                None => return,
            }
        }
    }
}

impl Engine {
    async fn handle(&mut self, (command, bytes): Message) {
        self.features_stalled = false;
        let bytes = bytes.unwrap_or_default();
        match command {
            Command::AddSample {
                class,
                sample,
                encoding,
            } => self.add_sample(class, sample, &bytes, encoding),
            Command::RemoveSample { .. } | Command::RemoveClass { .. }
                if self.training.is_some() =>
            {
                self.deferred_removals.push(command);
            }
            Command::RemoveSample { sample } => {
                self.features.remove_sample(sample);
                self.report_features();
            }
            Command::RemoveClass { class } => {
                self.features.remove_class(class);
                self.report_features();
            }
            Command::PrepareFeatures {
                freeze_depth,
                augment,
            } => {
                if self.training.is_none() {
                    self.features.want(freeze_depth, augment, &self.devices);
                    self.report_features();
                }
            }
            Command::Train { classes, settings } => {
                if self.training.is_some() {
                    return send(&Event::TrainingFailed("training is already running".into()));
                }
                self.features
                    .want(settings.freeze_depth, settings.augment, &self.devices);
                match TrainingRun::new(classes, settings, &self.features) {
                    Ok(run) => {
                        let preparing = self.features.missing(Some(&run.sample_ids()), true).len();
                        send(&Event::TrainingStarted { preparing });
                        self.training = Some(run);
                    }
                    Err(message) => send(&Event::TrainingFailed(message)),
                }
            }
            Command::CancelTraining => self.cancel().await,
            Command::Predict { request, encoding } => {
                let result = match image_from(&bytes, encoding) {
                    Ok(image) => {
                        predict(
                            &image,
                            &self.backbone,
                            self.classifier.as_ref(),
                            &self.devices,
                        )
                        .await
                    }
                    Err(error) => Err(error.to_string()),
                };
                send(&Event::Prediction { request, result });
            }
        }
    }

    fn add_sample(&mut self, class: u64, sample: u64, bytes: &[u8], encoding: ImageEncoding) {
        match image_from(bytes, encoding) {
            Ok(image) => {
                let image = resize_short_side(&image);
                self.features
                    .images
                    .insert(sample, StoredImage { class, image });
                send(&Event::SampleAccepted { sample });
                self.report_features();
            }
            Err(error) => send(&Event::SampleRejected {
                class,
                sample,
                message: error.to_string(),
            }),
        }
    }

    async fn cancel(&mut self) {
        let Some(mut run) = self.training.take() else {
            return;
        };
        if run.is_started() {
            let outcome = run.finish(&self.features, true).await;
            self.conclude(outcome);
        } else {
            send(&Event::TrainingCancelled);
            self.end_training();
        }
    }

    fn conclude(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Continue => return,
            Outcome::Done(classifier) => self.classifier = Some(*classifier),
            Outcome::Failed(message) => send(&Event::TrainingFailed(message)),
        }
        self.end_training();
    }

    /// Drops the run and applies what waited for it to end.
    fn end_training(&mut self) {
        self.training = None;
        for removal in std::mem::take(&mut self.deferred_removals) {
            match removal {
                Command::RemoveSample { sample } => self.features.remove_sample(sample),
                Command::RemoveClass { class } => self.features.remove_class(class),
                _ => {}
            }
        }
        self.report_features();
    }

    /// One slice of background work; false when there is none.
    async fn work(&mut self) -> bool {
        let Some(run) = self.training.as_ref() else {
            return !self.features_stalled && self.compute_features(None, false).await;
        };
        if !run.is_started() {
            let ids = run.sample_ids();
            if self.compute_features(Some(&ids), true).await {
                return true;
            }
            let Some(run) = self.training.as_mut() else {
                return true;
            };
            if let Err(error) = run.start(&self.backbone, &self.features, &self.devices) {
                send(&Event::TrainingFailed(error.to_string()));
                self.end_training();
            }
            return true;
        }
        let Some(run) = self.training.as_mut() else {
            return true;
        };
        let outcome = run.step(&self.features).await;
        self.conclude(outcome);
        true
    }

    /// Features for a few of `ids` (all images when `None`); false when none are missing.
    async fn compute_features(&mut self, ids: Option<&[u64]>, plain_only: bool) -> bool {
        let missing = self.features.missing(ids, plain_only);
        if missing.is_empty() {
            return false;
        }
        if let Err(error) = self
            .features
            .compute_some(&missing, &self.backbone, &self.devices)
            .await
        {
            let message = format!("cannot compute image features: {error}");
            match self.training {
                Some(_) => {
                    send(&Event::TrainingFailed(message));
                    self.end_training();
                }
                None => {
                    web_sys::console::error_1(&message.into());
                    self.features_stalled = true;
                }
            }
        }
        self.report_features();
        true
    }

    fn report_features(&self) {
        let (ready, wanted) = self.features.progress();
        send(&Event::Features { ready, wanted });
    }
}
