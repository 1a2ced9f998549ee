//! Starting and stopping training: the Train command is checked here against the same limits
//! the engine applies, and refused with a sentence instead of being sent.

use ajuste_protocol::{Command, TrainClass};
use leptos::prelude::*;

use super::messages;
use super::state::{AppState, Phase};

impl AppState {
    /// The Train command for the classes that take part and the current settings, or why
    /// training cannot start.
    pub fn training_command(&self) -> Result<Command, String> {
        let refused = self
            .setting_errors
            .with_untracked(|errors| errors.first().map(|(_, message)| message.clone()));
        if let Some(message) = refused {
            return Err(message);
        }
        let classes = self
            .classes
            .get_untracked()
            .iter()
            .filter(|class| class.enabled.get_untracked())
            .map(|class| TrainClass {
                id: class.id,
                name: class.name.get_untracked().trim().to_string(),
            })
            .collect();
        let command = Command::Train {
            classes,
            settings: self.settings.get_untracked(),
        };
        command
            .validate(None)
            .map_err(|invalid| messages::invalid(&invalid))?;
        Ok(command)
    }

    pub fn train(&self) {
        self.training_error.set(None);
        let command = match self.training_command() {
            Ok(command) => command,
            Err(message) => return self.training_error.set(Some(message)),
        };
        self.history.set(Vec::new());
        self.progress.set(None);
        self.preparing.set(0);
        self.phase.set(Phase::Training);
        if let Err(message) = self.try_send(&command, None) {
            self.training_error.set(Some(message));
            self.restore_history();
            self.settle();
        }
    }

    pub fn cancel_training(&self) {
        self.send(&Command::CancelTraining, None);
    }

    /// Where the page goes when a training run ends without a new classifier.
    pub(super) fn settle(&self) {
        self.phase.set(if self.has_classifier.get_untracked() {
            Phase::Done
        } else {
            Phase::Ready
        });
    }

    /// Back to the curves of the classifier in use, after a run that did not replace it.
    pub(super) fn restore_history(&self) {
        self.history.set(self.kept_history.get_value());
    }

    /// The engine has no trained classifier any more (a lost GPU, a restart): the preview
    /// answers with ImageNet again.
    pub(super) fn forget_classifier(&self) {
        self.has_classifier.set(false);
        self.report.set(None);
        self.evaluated.set(Vec::new());
        self.history.set(Vec::new());
        self.kept_history.set_value(Vec::new());
        if self.phase.get_untracked() == Phase::Done {
            self.phase.set(Phase::Ready);
        }
    }
}
