#!/usr/bin/env python3
"""Inputs for tools/bench/browser-bench.mjs: the checkpoint as ONNX, the benchmark's pixels and
PyTorch's answers on them.

Writes into OUT (generated files, never committed):
  efficientnet-lite0.onnx  the same checkpoint the page loads, exported by PyTorch (opset 17,
                           dynamic batch), with two outputs: the pooled 1280-d features
                           ("features") and the 1000 ImageNet logits ("logits"); f32
  pixels.bin               N images of 256x256 RGBA (uint8): what Ajuste's engine is sent. Its
                           pipeline (short side 256, centre crop 224) leaves 256x256 as is and
                           crops the middle 224x224, which is what ONNX Runtime is given
  reference.json           PyTorch's features and top-1 for each of those crops

The images: the four CC0 / public-domain fixture photos (tests/fixtures/images), each resized
as the evaluation pipeline does (short side 256, bicubic) and cut into four different 256x256
views (left, centre, right, centre mirrored): 16 distinct images.

    python3 tools/bench/export_onnx.py --weights PTH OUT
"""

import argparse
import json
import pathlib
import sys

import numpy as np
import torch
from PIL import Image, ImageOps

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from reference import FIXTURES, build_model  # noqa: E402

SIDE = 256
CROP = 224


def views(path):
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    width, height = image.size
    scale = SIDE / min(width, height)
    size = (max(SIDE, int(width * scale)), max(SIDE, int(height * scale)))
    image = image.resize(size, Image.BICUBIC)
    spare_x, spare_y = size[0] - SIDE, size[1] - SIDE
    boxes = [(0, 0), (spare_x // 2, spare_y // 2), (spare_x, spare_y)]
    cut = [image.crop((x, y, x + SIDE, y + SIDE)) for x, y in boxes]
    cut.append(ImageOps.mirror(cut[1]))
    return [np.asarray(view, dtype=np.uint8) for view in cut]


class Exported(torch.nn.Module):
    """Pooled features and logits, as Ajuste's backbone and ImageNet head give them."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        features = self.model.extract_features(x).mean(dim=(2, 3))
        return features, self.model._fc(features)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", required=True, help="efficientnet-lite0-57934424.pth")
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    torch.set_grad_enabled(False)
    model = Exported(build_model(args.weights)).eval()

    photos = sorted((FIXTURES / "images").glob("*.png"))
    if not photos:
        sys.exit(f"no fixture photos under {FIXTURES / 'images'}")
    rgb = np.stack([view for photo in photos for view in views(photo)])  # N, 256, 256, 3
    rgba = np.concatenate([rgb, np.full(rgb.shape[:3] + (1,), 255, np.uint8)], axis=3)
    (args.out / "pixels.bin").write_bytes(rgba.tobytes())

    offset = (SIDE - CROP) // 2
    crops = rgb[:, offset : offset + CROP, offset : offset + CROP, :].astype(np.float32) / 127.5 - 1.0
    batch = torch.from_numpy(crops).permute(0, 3, 1, 2).contiguous()
    features, logits = model(batch)
    reference = {
        "count": len(rgb),
        "side": SIDE,
        "features": features.tolist(),
        "top1": logits.argmax(dim=1).tolist(),
    }
    (args.out / "reference.json").write_text(json.dumps(reference))

    torch.onnx.export(
        model,
        (batch[:1],),
        str(args.out / "efficientnet-lite0.onnx"),
        input_names=["input"],
        output_names=["features", "logits"],
        dynamic_axes={"input": {0: "batch"}, "features": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    print(f"wrote {len(rgb)} images and the ONNX model to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
