#!/usr/bin/env python3
"""Loads a model Ajuste exported ("Download model" in the page, or `ajuste train --out DIR`) in
PyTorch and classifies images with it, as the README shows.

    python3 tools/load_export.py MODEL_DIR_OR_ZIP IMAGE... [--weights efficientnet-lite0-57934424.pth]

Needs `torch`, `safetensors`, `efficientnet-lite-pytorch` and Pillow. Transfer-learning models
(freeze depth 0: a new linear head on the pooled features) load as shown; a fine-tuned model
also carries its unfrozen blocks (`suffix.*`), which this script reports but does not map.
"""

import argparse
import json
import pathlib
import sys
import tempfile
import zipfile

import torch
from safetensors.torch import load_file

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from reference import build_model, preprocess  # noqa: E402  (the checkpoint's own pipeline)


def open_export(path):
    """(manifest, tensors) of a model directory or zip."""
    path = pathlib.Path(path)
    if path.is_file():
        folder = pathlib.Path(tempfile.mkdtemp())
        zipfile.ZipFile(path).extractall(folder)
        path = folder
    manifest = json.loads((path / "manifest.json").read_text())
    return manifest, load_file(str(path / "classifier.safetensors"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--weights", required=True, help="efficientnet-lite0-57934424.pth")
    args = parser.parse_args()

    manifest, tensors = open_export(args.model)
    if manifest["freeze_depth"] != 0 or manifest["hidden_units"] is not None:
        sys.exit("this example maps transfer-learning heads (freeze depth 0, no hidden layer)")
    backbone = build_model(args.weights)
    head = torch.nn.Linear(1280, len(manifest["classes"]))
    # burn keeps a linear layer's weight as [inputs, outputs]; PyTorch as [outputs, inputs].
    head.weight.data = tensors["head.output.weight"].T.contiguous()
    head.bias.data = tensors["head.output.bias"]
    length = manifest.get("feature_length")  # absent in files from before it existed
    mirror = manifest["preprocessing"].get("mirror_average", False)

    def predict(pixels):
        features = backbone.extract_features(pixels).mean(dim=(2, 3))
        if length is not None:
            features = torch.nn.functional.normalize(features, eps=0.0) * length
        return head(features).softmax(dim=1)[0]

    results = []
    with torch.no_grad():
        for image in args.images:
            pixels = preprocess(image)
            probabilities = predict(pixels)
            if mirror:  # the mean of the crop's and its mirror image's probabilities
                probabilities = (probabilities + predict(pixels.flip(3))) / 2
            best = int(probabilities.argmax())
            results.append(
                {
                    "image": image,
                    "label": manifest["classes"][best],
                    "confidence": float(probabilities[best]),
                }
            )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
