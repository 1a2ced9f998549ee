//! A native stand-in for the page: sends commands to a [`Session`] (the engine the worker
//! runs) and collects the events it answers with.

use std::time::Instant;

use ajuste::protocol::{
    ClassId, Command, Event, ImageEncoding, SampleId, TrainClass, TrainSettings,
};
use ajuste::session::Session;
use ajuste::train::devices::Devices;
use burn::prelude::Device;
use image::RgbImage;

pub struct Page {
    pub session: Session,
    /// Every event so far, in order.
    pub events: Vec<Event>,
    /// The bytes of every file the engine handed over (`Event::File`), in order.
    pub files: Vec<Vec<u8>>,
    /// Thumbnail pixels by sample.
    pub thumbnails: Vec<(u64, Vec<u8>)>,
    /// The images the engine handed over to store (`Event::StoredImage`): PNG by sample.
    pub stored: Vec<(u64, Vec<u8>)>,
    /// The feature rows the engine handed over (`Event::Depth0Features`), in order.
    pub feature_rows: Vec<Vec<u8>>,
}

/// The image as a PNG file's bytes, as the page would send a file.
pub fn png(image: &RgbImage) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

pub fn settings(freeze_depth: usize, epochs: usize) -> TrainSettings {
    TrainSettings {
        freeze_depth,
        epochs,
        batch_size: 8,
        learning_rate: 1e-3,
        augment: false,
        validation_share: 0.15,
        seed: 42,
    }
}

pub fn classes(names: &[(ClassId, &str)]) -> Vec<TrainClass> {
    names
        .iter()
        .map(|&(id, name)| TrainClass {
            id,
            name: name.to_string(),
        })
        .collect()
}

impl Page {
    /// A session on the CPU; `on_gpu` makes it believe its main device is a GPU that can be
    /// lost (to simulate a device loss).
    pub fn open(on_gpu: bool) -> Self {
        let weights = std::fs::read(super::shipped_weights()).unwrap();
        let started = Instant::now();
        let clock = Box::new(move || started.elapsed().as_secs_f64() * 1000.0);
        let devices = Devices::single(&Device::flex());
        let session = Session::new(weights, devices, on_gpu, clock).unwrap();
        Self {
            session,
            events: Vec::new(),
            files: Vec::new(),
            thumbnails: Vec::new(),
            stored: Vec::new(),
            feature_rows: Vec::new(),
        }
    }

    pub fn send(&mut self, command: Command, bytes: Option<Vec<u8>>) -> Vec<Event> {
        pollster::block_on(self.session.handle(command, bytes));
        self.collect()
    }

    /// The events the session produced since the last call (also kept in `events`).
    pub fn collect(&mut self) -> Vec<Event> {
        let mut new = Vec::new();
        for outgoing in self.session.take_outgoing() {
            match (&outgoing.event, outgoing.bytes) {
                (Event::File { .. }, Some(bytes)) => self.files.push(bytes),
                (Event::Thumbnail { sample, .. }, Some(bytes)) => {
                    self.thumbnails.push((*sample, bytes))
                }
                (Event::StoredImage { sample }, Some(bytes)) => self.stored.push((*sample, bytes)),
                (Event::Depth0Features { .. }, Some(bytes)) => self.feature_rows.push(bytes),
                (_, bytes) => assert!(bytes.is_none(), "bytes beside {:?}", outgoing.event),
            }
            new.push(outgoing.event);
        }
        self.events.extend(new.iter().cloned());
        new
    }

    pub fn add_image(&mut self, class: ClassId, sample: SampleId, image: &RgbImage) -> Vec<Event> {
        let command = Command::AddSample {
            class,
            sample,
            encoding: ImageEncoding::File,
        };
        self.send(command, Some(png(image)))
    }

    pub fn train(&mut self, classes: Vec<TrainClass>, settings: TrainSettings) -> Vec<Event> {
        self.send(Command::Train { classes, settings }, None)
    }

    /// One piece of background work; the events it produced.
    pub fn work(&mut self) -> (bool, Vec<Event>) {
        let worked = pollster::block_on(self.session.work());
        (worked, self.collect())
    }

    /// Works until an event matches `done` (returned), failing after `max_pieces`.
    pub fn work_until(&mut self, max_pieces: usize, done: impl Fn(&Event) -> bool) -> Event {
        for _ in 0..max_pieces {
            let (worked, events) = self.work();
            if let Some(event) = events.into_iter().find(&done) {
                return event;
            }
            assert!(
                worked,
                "the engine went idle first: {:?}",
                self.events.last()
            );
        }
        panic!("not done after {max_pieces} pieces of work");
    }

    /// Works until nothing is left to do.
    pub fn settle(&mut self) {
        for _ in 0..10_000 {
            if !self.work().0 {
                return;
            }
        }
        panic!("the engine never went idle");
    }

    pub fn predict(&mut self, image: &RgbImage) -> Event {
        let request = 1_000_000 + self.events.len() as u64;
        let command = Command::Predict {
            request,
            encoding: ImageEncoding::File,
        };
        let events = self.send(command, Some(png(image)));
        let answers: Vec<Event> = events
            .into_iter()
            .filter(|e| matches!(e, Event::Prediction { request: r, .. } if *r == request))
            .collect();
        assert_eq!(answers.len(), 1, "one answer per prediction request");
        answers.into_iter().next().unwrap()
    }

    /// The last (ready, wanted) feature progress reported.
    pub fn features(&self) -> (usize, usize) {
        self.events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::Features { ready, wanted } => Some((*ready, *wanted)),
                _ => None,
            })
            .unwrap_or((0, 0))
    }
}
