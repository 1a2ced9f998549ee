//! The transfer-learning features of the stored images, kept beside them (`records.rs`), so
//! that a reload trains at d = 0 at once instead of running the backbone over every image
//! again. Once the engine has computed every feature it was asked for, the page asks for the
//! rows of the stored images that have none stored yet (`Depth0Features`, a batch at a time),
//! and gives them back after a reload (`RestoreFeatures`, before the images themselves).

use ajuste_protocol::limits::{FEATURE_LEN, MAX_FEATURE_SAMPLES};
use ajuste_protocol::{Command, SampleId};
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::records;
use super::saving::Stage;
use super::state::AppState;
use super::writer::Role;

const ROW_BYTES: u32 = (FEATURE_LEN * 4) as u32;

impl AppState {
    /// Asks the engine for the features of stored images that have none stored, when every
    /// feature is computed and this tab saves.
    pub(super) fn store_features(&self) {
        let (ready, wanted) = self.features.get_untracked();
        let may = ready == wanted
            && wanted > 0
            && self.writer.role.get_untracked() == Role::Writer
            && self.autosave_stage.get_untracked() != Stage::Restoring;
        if !may {
            return;
        }
        let missing: Option<Vec<SampleId>> = self.autosave.try_update_value(|memory| {
            if memory.features_asked {
                return Vec::new();
            }
            let missing: Vec<SampleId> = (memory.saved.images.iter())
                .filter(|id| !memory.features.contains(id))
                .take(MAX_FEATURE_SAMPLES)
                .copied()
                .collect();
            memory.features_asked = !missing.is_empty();
            missing
        });
        let Some(samples) = missing.filter(|m| !m.is_empty()) else {
            return;
        };
        if self
            .try_send(&Command::Depth0Features { samples }, None)
            .is_err()
        {
            self.autosave
                .update_value(|memory| memory.features_asked = false);
        }
    }

    /// The engine's rows: stored beside their images; then the next batch, if this one was
    /// full.
    pub(super) fn features_arrived(
        &self,
        samples: Vec<SampleId>,
        weights: String,
        bytes: Option<Uint8Array>,
    ) {
        let store = self.autosave.with_value(|memory| memory.store.clone());
        let (Some(store), Some(bytes)) = (store, bytes) else {
            return self.features_answered(&[]);
        };
        if bytes.length() != ROW_BYTES * samples.len() as u32 {
            return self.features_answered(&[]);
        }
        let rows: Vec<(SampleId, Uint8Array)> = (samples.iter().enumerate())
            .map(|(i, id)| {
                let start = i as u32 * ROW_BYTES;
                (*id, bytes.slice(start, start + ROW_BYTES))
            })
            .collect();
        let state = *self;
        spawn_local(async move {
            match records::put_features(&store, &weights, &rows).await {
                Ok(()) => {
                    state.features_answered(&samples);
                    if samples.len() == MAX_FEATURE_SAMPLES {
                        state.store_features();
                    }
                }
                Err(_) => state.features_answered(&[]),
            }
        });
    }

    fn features_answered(&self, stored: &[SampleId]) {
        self.autosave.update_value(|memory| {
            memory.features_asked = false;
            memory.features.extend(stored.iter().copied());
        });
    }

    /// Gives the engine the features stored with the images being restored (before the images:
    /// it then computes none of them), a batch at a time.
    pub(super) fn restore_features(&self, rows: &[(SampleId, String, Uint8Array)]) {
        let Some((_, weights, _)) = rows.first() else {
            return;
        };
        let same: Vec<&(SampleId, String, Uint8Array)> = (rows.iter())
            .filter(|(_, w, row)| w == weights && row.length() == ROW_BYTES)
            .collect();
        for batch in same.chunks(MAX_FEATURE_SAMPLES) {
            let joined = Uint8Array::new_with_length(ROW_BYTES * batch.len() as u32);
            for (i, (_, _, row)) in batch.iter().enumerate() {
                joined.set(row, i as u32 * ROW_BYTES);
            }
            let command = Command::RestoreFeatures {
                samples: batch.iter().map(|(id, _, _)| *id).collect(),
                weights: weights.clone(),
            };
            let bytes: JsValue = joined.into();
            if self.try_send(&command, Some(&bytes)).is_err() {
                return;
            }
        }
    }
}
