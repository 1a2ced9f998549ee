//! The images the user added, by id, with the class each belongs to.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ajuste_protocol::{ClassId, Invalid, SampleId};
use image::RgbImage;

use crate::data::image::resize_short_side;
use crate::storage::StoredImage;
use crate::train::cache::ImageSource;

struct StoredSample {
    class: ClassId,
    /// At short side 256: the evaluation view is its centre crop, augmented views are cut
    /// from it. Kept as the PNG a project file stores (about half the pixels' size on photos:
    /// thousands of images fit), decoded only while its views are computed.
    image: StoredImage,
}

#[derive(Default)]
pub struct SampleStore {
    samples: BTreeMap<SampleId, StoredSample>,
}

impl SampleStore {
    /// Keeps a decoded image (any size) under the page's id.
    pub fn add(&mut self, id: SampleId, class: ClassId, image: &RgbImage) -> Result<(), Invalid> {
        let image = StoredImage::encode(&resize_short_side(image))
            .expect("a PNG is written to memory whatever the image");
        self.add_stored(id, class, image)
    }

    /// Keeps an image already at the engine's size (from a project file).
    pub fn add_stored(
        &mut self,
        id: SampleId,
        class: ClassId,
        image: StoredImage,
    ) -> Result<(), Invalid> {
        if self.samples.contains_key(&id) {
            return Err(Invalid::DuplicateSample(id));
        }
        self.samples.insert(id, StoredSample { class, image });
        Ok(())
    }

    pub fn remove(&mut self, id: SampleId) -> bool {
        self.samples.remove(&id).is_some()
    }

    /// Removes every image of `class`; returns their ids.
    pub fn remove_class(&mut self, class: ClassId) -> Vec<SampleId> {
        let ids: Vec<SampleId> = self
            .samples
            .iter()
            .filter(|(_, sample)| sample.class == class)
            .map(|(&id, _)| id)
            .collect();
        for id in &ids {
            self.samples.remove(id);
        }
        ids
    }

    /// The images of `class`, in id order (sharing their bytes with the store).
    pub fn images_of(&self, class: ClassId) -> Vec<StoredImage> {
        self.samples
            .values()
            .filter(|sample| sample.class == class)
            .map(|sample| sample.image.clone())
            .collect()
    }

    /// The image kept for `id` (sharing its bytes with the store).
    pub fn stored(&self, id: SampleId) -> Option<StoredImage> {
        Some(self.samples.get(&id)?.image.clone())
    }

    /// The ids of the images of `class`, in id order (the order of [`Self::images_of`]).
    pub fn ids_of(&self, class: ClassId) -> Vec<SampleId> {
        self.samples
            .iter()
            .filter(|(_, sample)| sample.class == class)
            .map(|(&id, _)| id)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn ids(&self) -> Vec<SampleId> {
        self.samples.keys().copied().collect()
    }

    /// (id, label) of the images of `classes`, label = position in `classes`, in id order.
    pub fn labelled(&self, classes: &[ClassId]) -> Vec<(SampleId, usize)> {
        self.samples
            .iter()
            .filter_map(|(&id, sample)| {
                let label = classes.iter().position(|&c| c == sample.class)?;
                Some((id, label))
            })
            .collect()
    }
}

impl ImageSource for SampleStore {
    fn image(&self, id: u64) -> Option<Cow<'_, RgbImage>> {
        let sample = self.samples.get(&id)?;
        Some(Cow::Owned(sample.image.decode()))
    }

    fn contains(&self, id: u64) -> bool {
        self.samples.contains_key(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_kept_by_id_and_labelled_by_class_position() {
        let mut store = SampleStore::default();
        store.add(5, 10, &RgbImage::new(300, 260)).unwrap();
        store.add(2, 20, &RgbImage::new(40, 40)).unwrap();
        store.add(9, 10, &RgbImage::new(40, 40)).unwrap();
        assert_eq!(
            store.add(5, 20, &RgbImage::new(4, 4)),
            Err(Invalid::DuplicateSample(5))
        );
        assert_eq!(store.image(5).unwrap().dimensions(), (295, 256));
        assert_eq!(
            store.add_stored(5, 20, store.images_of(10)[0].clone()),
            Err(Invalid::DuplicateSample(5))
        );
        assert_eq!(store.labelled(&[20, 10]), vec![(2, 0), (5, 1), (9, 1)]);
        assert_eq!(store.labelled(&[10]), vec![(5, 0), (9, 0)]);
        assert_eq!(store.ids_of(10), vec![5, 9]);
        assert_eq!(store.remove_class(10), vec![5, 9]);
        assert!(store.remove(2));
        assert!(!store.remove(2));
        assert!(store.ids().is_empty());
    }
}
