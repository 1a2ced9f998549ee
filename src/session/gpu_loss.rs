//! A lost GPU: the engine goes on on the CPU.

use ajuste_protocol::{Backend, EngineError, Event};
use burn::prelude::Device;

use super::Session;
use crate::model::weights::load_safetensors;
use crate::train::TrainError;
use crate::train::devices::Devices;

impl Session {
    /// The page-facing form of a core error; a device error on a GPU means the GPU is gone,
    /// and the engine moves to the CPU.
    pub(super) fn device_error(&mut self, error: TrainError) -> EngineError {
        match error {
            TrainError::Device(message) if self.on_gpu => {
                self.device_lost(message.clone());
                EngineError::DeviceLost(message)
            }
            other => other.into(),
        }
    }

    /// The GPU is gone (reported by the browser, or a failed read-back): go on on the CPU.
    /// The network is loaded again there and features are computed again; what lived on the
    /// CPU already (transfer-learning features, a transfer-learning classifier, a
    /// transfer-learning run) carries on.
    pub fn device_lost(&mut self, reason: String) {
        if !self.on_gpu {
            return;
        }
        let devices = Devices::single(&Device::flex());
        let backbone = match load_safetensors(self.weights.clone(), &devices.main) {
            Ok(backbone) => backbone,
            Err(error) => return self.emit(Event::Fatal(EngineError::Weights(error.to_string()))),
        };
        let host_survives = self.devices.host == devices.host;
        let on_host = |depth: usize| depth == 0 && host_survives;
        if self
            .run
            .as_ref()
            .is_some_and(|run| !on_host(run.freeze_depth()))
        {
            self.run = None;
            self.emit(Event::TrainingFailed(EngineError::DeviceLost(
                reason.clone(),
            )));
        }
        let kept_classifier = self
            .classifier
            .as_ref()
            .is_some_and(|c| on_host(c.model.freeze_depth()));
        if !kept_classifier {
            self.classifier = None;
        }
        self.on_gpu = false;
        self.backbone = backbone;
        self.devices = devices;
        self.features.move_to(&self.devices);
        self.emit(Event::DeviceLost {
            error: EngineError::DeviceLost(reason),
            kept_classifier,
        });
        self.emit(Event::Backend(Backend::Cpu));
        self.emit(Event::HeadDevice(Backend::Cpu));
        if self.run.is_none() {
            self.end_run();
        }
    }
}
