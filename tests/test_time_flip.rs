//! The test-time flip: a trained classifier averages the class probabilities of each image and
//! of its mirror image, and the evaluation that picks and reports the model scores exactly
//! what the classifier will predict. On the real backbone (shipped weights, CPU).

mod common;

use ajuste::data::batch::images_to_tensor;
use ajuste::data::image::{center_crop, to_input};
use ajuste::model::weights::load_file;
use ajuste::protocol::EvaluatedOn;
use ajuste::train::cache::{ActivationCache, Activations};
use ajuste::train::config::TrainingConfig;
use ajuste::train::devices::Devices;
use ajuste::train::evaluate::evaluate;
use ajuste::train::export::{Classifier, Manifest};
use ajuste::train::fit::fit;
use ajuste::train::metrics::argmax_rows;
use burn::prelude::*;
use common::synthetic;
use image::imageops::flip_horizontal;
use pollster::block_on;

#[test]
fn predictions_average_the_mirror_image_as_the_evaluation_does() {
    let device = Device::flex();
    let devices = Devices::single(&device);
    let backbone = load_file(&common::shipped_weights(), &device).unwrap();
    let dataset = synthetic::dataset(3, 4);
    let items = dataset.items();
    let classes = dataset.classes.len();
    for depth in [0, 1] {
        let config = TrainingConfig::default()
            .with_freeze_depth(depth)
            .with_epochs(3)
            .with_augmented_views(1);
        let mut cache = ActivationCache::new(&device, usize::MAX);
        cache.set_freeze_depth(depth).unwrap();
        let ids: Vec<u64> = items.iter().map(|&(id, _)| id).collect();
        let keys = cache.missing(&ids, config.views());
        block_on(cache.compute(&backbone, &dataset, &keys, &config.augmentation, 1)).unwrap();
        let activations = Activations::Cached(&cache);
        let outcome = block_on(fit(
            &backbone,
            &dataset.classes,
            &items,
            &activations,
            config.clone(),
            &device,
            |_| {},
        ))
        .unwrap();
        assert_eq!(outcome.evaluated_on, EvaluatedOn::Training);
        let without_mirror = block_on(evaluate(
            &outcome.model,
            &activations,
            &items,
            classes,
            false,
        ))
        .unwrap();
        let classifier = Classifier::new(dataset.classes.clone(), &config, outcome.model.clone());
        assert!(classifier.manifest.preprocessing.mirror_average);
        let mut plain_only = Classifier::new(dataset.classes.clone(), &config, outcome.model);
        plain_only.manifest.preprocessing.mirror_average = false;

        let crops: Vec<_> = (dataset.samples.iter())
            .map(|s| center_crop(&s.image))
            .collect();
        let run = |classifier: &Classifier, mirrored: bool| {
            let inputs: Vec<Vec<f32>> = (crops.iter())
                .map(|c| {
                    to_input(&if mirrored {
                        flip_horizontal(c)
                    } else {
                        c.clone()
                    })
                })
                .collect();
            let images = images_to_tensor(&inputs, &device);
            block_on(classifier.probabilities(&backbone, images, &devices)).unwrap()
        };
        let averaged = run(&classifier, false);
        let plain = run(&plain_only, false);
        let mirror = run(&plain_only, true);
        for ((a, p), m) in averaged.iter().zip(&plain).zip(&mirror) {
            for ((a, p), m) in a.iter().zip(p).zip(m) {
                assert!(
                    (a - (p + m) / 2.0).abs() < 1e-5,
                    "depth {depth}: {a} {p} {m}"
                );
            }
        }
        assert_ne!(plain, mirror, "the mirror image is another look");

        // The evaluation kept with the model is the classifier's own: same answers, same loss.
        let labels: Vec<usize> = dataset.samples.iter().map(|s| s.label).collect();
        let check = |rows: &[Vec<f32>], predictions: &[(u64, usize, usize)], loss: f32| {
            let guesses = argmax_rows(&rows.concat(), classes);
            for (sample, guess) in dataset.samples.iter().zip(&guesses) {
                let evaluated = predictions.iter().find(|p| p.0 == sample.id).unwrap();
                assert_eq!((evaluated.1, evaluated.2), (sample.label, *guess));
            }
            let expected = (rows.iter().zip(&labels))
                .map(|(row, &label)| -row[label].ln())
                .sum::<f32>()
                / rows.len() as f32;
            assert!((loss - expected).abs() < 1e-4, "{loss} vs {expected}");
        };
        let evaluation = &outcome.evaluation;
        check(&averaged, &evaluation.predictions, evaluation.loss);
        check(&plain, &without_mirror.predictions, without_mirror.loss);
    }
}

#[test]
fn classifiers_saved_before_the_flip_predict_on_the_plain_crop_as_they_came() {
    let manifest = Manifest::new(vec!["a".into(), "b".into()], &TrainingConfig::default());
    let mut json: serde_json::Value = serde_json::to_value(&manifest).unwrap();
    assert_eq!(json["preprocessing"]["mirror_average"], true);
    assert_eq!(json["feature_length"], 8.0);
    json["preprocessing"]
        .as_object_mut()
        .unwrap()
        .remove("mirror_average");
    json.as_object_mut().unwrap().remove("feature_length");
    let older: Manifest = serde_json::from_value(json).unwrap();
    assert!(!older.preprocessing.mirror_average);
    assert_eq!(older.feature_length, None, "features as they come");
    older.check().unwrap();
}
