#!/usr/bin/env python3
"""PyTorch CPU reference for `cargo bench --bench training`.

Same setup as the Rust benchmark: EfficientNet-Lite0 (random weights: speed does not depend
on them), `images` random 224x224 inputs, batch 16, AdamW, BatchNorm in eval mode. For each
freeze depth d (the last d blocks and the head conv train; d = 0 trains only a new linear
head), times one epoch with the frozen prefix cached (suffix only) and without (prefix run
under no_grad at every step). Prints one JSON object.
"""

import argparse
import json
import time

import torch


def prefix(model, x, boundary):
    x = model._swish(model._bn0(model._conv_stem(x)))
    for block in model._blocks[:boundary]:
        x = block(x)
    return x


def suffix_features(model, x, boundary):
    for block in model._blocks[boundary:]:
        x = block(x)
    x = model._swish(model._bn1(model._conv_head(x)))
    return x.mean(dim=(2, 3))


def boundary_input(model, images, depth):
    boundary = 16 - depth
    with torch.no_grad():
        if depth == 0:
            return suffix_features(model, prefix(model, images, 16), 16)
        return prefix(model, images, boundary)


def epoch_seconds(model, head, images, labels, depth, cached, batch):
    boundary = 16 - depth
    trainable = list(head.parameters())
    if depth > 0:
        trainable += [p for b in model._blocks[boundary:] for p in b.parameters()]
        trainable += list(model._conv_head.parameters()) + list(model._bn1.parameters())
    optimizer = torch.optim.AdamW(trainable, lr=1e-3)
    rows = boundary_input(model, images, depth) if cached else None
    start = time.perf_counter()
    for i in range(0, len(images), batch):
        x = rows[i:i + batch] if cached else boundary_input(model, images[i:i + batch], depth)
        features = x if depth == 0 else suffix_features(model, x, boundary)
        loss = torch.nn.functional.cross_entropy(head(features), labels[i:i + batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    loss.item()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 1, 2, 4])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0").eval()
    for p in model.parameters():
        p.requires_grad_(True)
    images = torch.rand(args.images, 3, 224, 224) * 2 - 1
    labels = torch.randint(0, 2, (args.images,))

    with torch.no_grad():
        start = time.perf_counter()
        for i in range(0, args.images, args.batch):
            boundary_input(model, images[i:i + args.batch], 0)
        features_per_second = args.images / (time.perf_counter() - start)

    epochs = {}
    for depth in args.depths:
        head = torch.nn.Linear(1280, 2)
        epochs[str(depth)] = {
            "cached": epoch_seconds(model, head, images, labels, depth, True, args.batch),
            "uncached": epoch_seconds(model, head, images, labels, depth, False, args.batch),
        }
    print(json.dumps({"torch": torch.__version__, "threads": args.threads,
                      "features_per_second": features_per_second, "epoch_seconds": epochs}))


if __name__ == "__main__":
    main()
