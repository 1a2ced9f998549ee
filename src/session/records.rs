//! What the page keeps of the engine's work on the device, record by record: each image as
//! the engine keeps it (`StoredImage` events, taken back with `ImageEncoding::Stored`) and
//! its transfer-learning features (`Depth0Features`, taken back with `RestoreFeatures`), so
//! that a reload brings a project back without decoding a photo or running the backbone
//! again, and a save after one change writes one record.

use ajuste_protocol::limits::FEATURE_LEN;
use ajuste_protocol::{EngineError, Event, ImageProblem, SampleId};

use super::Session;
use crate::storage::{StoredImage, push_row, rows_of};

/// How many images of an opened project are announced per piece of background work.
const ANNOUNCED_PER_PIECE: usize = 8;

/// An image the page stored: a PNG at the engine's size, checked as a project file's are.
pub(super) fn stored_image(png: &[u8]) -> Result<StoredImage, EngineError> {
    StoredImage::read("the stored image", png.to_vec())
        .map_err(|error| EngineError::Image(ImageProblem::Corrupt(error.to_string())))
}

impl Session {
    /// Sends the page the image kept for `sample`, to store.
    pub(super) fn announce_stored(&mut self, sample: SampleId) {
        if let Some(image) = self.samples.stored(sample) {
            self.emit_with_bytes(Event::StoredImage { sample }, image.png().to_vec());
        }
    }

    /// Queues the images of an opened project for [`Self::announce_some`].
    pub(super) fn announce_later(&mut self, samples: impl IntoIterator<Item = SampleId>) {
        self.unannounced.extend(samples);
    }

    /// Announces a few queued images; false when none were waiting.
    pub(super) fn announce_some(&mut self) -> bool {
        if self.unannounced.is_empty() {
            return false;
        }
        for _ in 0..ANNOUNCED_PER_PIECE {
            let Some(sample) = self.unannounced.pop_front() else {
                break;
            };
            self.announce_stored(sample);
        }
        true
    }

    /// The depth-0 features of those of `samples` that have them, for the page to store.
    pub(super) async fn depth0_features(&mut self, samples: &[SampleId]) {
        let rows = match self.features.depth0_rows(samples).await {
            Ok(rows) => rows,
            Err(error) => {
                let error = self.device_error(error);
                return self.emit(Event::CommandRejected(error));
            }
        };
        let mut bytes = Vec::with_capacity(rows.len() * FEATURE_LEN * 4);
        let mut answered = Vec::with_capacity(rows.len());
        for (sample, row) in rows.into_iter().filter(|(_, row)| row.len() == FEATURE_LEN) {
            answered.push(sample);
            push_row(&mut bytes, &row);
        }
        let event = Event::Depth0Features {
            samples: answered,
            weights: self.weights_fingerprint.clone(),
        };
        self.emit_with_bytes(event, bytes);
    }

    /// Takes features the page stored, when this network computed them. Rows that are not
    /// numbers are refused: features are only ever finite.
    pub(super) async fn restore_features(
        &mut self,
        samples: &[SampleId],
        weights: &str,
        bytes: &[u8],
    ) {
        if weights != self.weights_fingerprint || samples.is_empty() {
            return;
        }
        let rows: Vec<(SampleId, Vec<f32>)> = (samples.iter().copied())
            .zip(rows_of(bytes))
            .filter_map(|(sample, row)| Some((sample, row.ok()?)))
            .collect();
        // If they cannot be taken, only time is lost: they are computed again.
        if self.features.restore_depth0(rows).await.is_ok() {
            self.report_features();
        }
    }
}
