#!/usr/bin/env python3
"""PyTorch CPU reference timings for `cargo bench --bench backbone`.

Prints one JSON object: images/s of the EfficientNet-Lite0 forward pass (eval, no grad) at
each batch size, with the given thread count. Random weights: speed does not depend on them.
"""

import argparse
import json
import time

import torch


def images_per_second(model, batch, seconds):
    x = torch.rand(batch, 3, 224, 224) * 2 - 1
    model(x)  # warm-up
    runs, start = 0, time.perf_counter()
    while runs == 0 or time.perf_counter() - start < seconds:
        model(x)
        runs += 1
    return runs * batch / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0").eval()
    with torch.no_grad():
        result = {str(b): images_per_second(model, b, args.seconds) for b in args.batches}
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "images_per_second": result}))


if __name__ == "__main__":
    main()
