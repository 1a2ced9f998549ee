//! The `ajuste` binary end to end, as a user runs it.

mod common;

use std::process::Command;

use common::fixtures;

fn ajuste(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ajuste"))
        .args(args)
        .current_dir(fixtures().join("images"))
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn imagenet_names_espresso_and_a_cat() {
    let (ok, stdout, stderr) = ajuste(&["imagenet", "coffee.jpg", "chelsea.jpg", "--json"]);
    assert!(ok, "{stderr}");
    let results: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["top5"][0]["label"], "espresso");
    assert!(
        results[1]["top5"][0]["label"]
            .as_str()
            .unwrap()
            .contains("cat"),
        "{stdout}"
    );
    assert_eq!(results[0]["top5"].as_array().unwrap().len(), 5);
}

#[test]
fn embed_prints_1280_features_per_image() {
    let (ok, stdout, stderr) = ajuste(&["embed", "rocket.jpg", "--json"]);
    assert!(ok, "{stderr}");
    let results: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results[0]["features"].as_array().unwrap().len(), 1280);
}

#[test]
fn a_bad_file_is_reported_and_the_others_still_run() {
    let text = fixtures().join("images").join("LICENSES.txt");
    let text = text.to_str().unwrap();
    let (ok, stdout, stderr) = ajuste(&["imagenet", text, "coffee.jpg", "missing.jpg"]);
    assert!(!ok);
    assert!(stderr.contains("LICENSES.txt: not an image"), "{stderr}");
    assert!(stderr.contains("missing.jpg"), "{stderr}");
    assert!(stdout.contains("espresso"), "{stdout}");
}

#[test]
fn weights_that_do_not_exist_fail_cleanly() {
    let (ok, _, stderr) = ajuste(&["embed", "coffee.jpg", "--weights", "nowhere.pth"]);
    assert!(!ok);
    assert!(stderr.contains("nowhere.pth"), "{stderr}");
}
