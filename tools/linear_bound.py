#!/usr/bin/env python3
"""How far any linear head on the frozen features can go: a ceiling for transfer learning.

Transfer learning (freeze depth 0) trains a linear head on the backbone's pooled features,
and so does the baseline (logistic regression). This script asks how much better than the
baseline *any* linear head on those features could be. For each (shots, seed) of a recipe
sweep (its `--json` output: the very training images each run used) it fits scikit-learn's
LogisticRegression over a grid

    C (inverse regularisation) 0.03 … 100  ×  features raw / scaled to unit length
    ×  training views: plain crop / + mirror image / + augmented crops
    ×  test-time flip (mean of the image's and its mirror image's probabilities) or not

and reports, per shot count, the configuration with the best mean test accuracy over the
seeds. That configuration is picked **on the test images themselves** (an oracle): its
accuracy is an upper bound on what a linear head tuned honestly could reach, not a result.

    python3 tools/recipe_sweep.py --data DIR --weights PTH --depths 0 --json runs.json
    python3 tools/linear_bound.py --data DIR --weights PTH --runs runs.json

Features come from the PyTorch reference network (tools/reference.py), per image: the plain
centre crop, its mirror image, and augmented crops of the kind the engine trains on (random
resized crop of 40–100% of the area, flip, brightness/contrast/saturation ± 20%), cached
next to the set (DIR/.bound-features-v<views>.pt).
"""

import argparse
import itertools
import json
import pathlib
import statistics
import sys
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def view_features(data, weights, views):
    """[images, views, 1280] pooled features: plain, mirror, then `views - 2` augmented crops."""
    import torch
    import torchvision.transforms as T

    from recipe_sweep import set_paths
    from reference import build_model, centre_crop, pooled_features, short_side_256, to_input

    cache = data / f".bound-features-v{views}.pt"
    paths = set_paths(data)
    if cache.exists():
        stored = torch.load(cache)
        if stored["paths"] == paths:
            return paths, stored["features"].numpy()
    torch.set_grad_enabled(False)
    torch.manual_seed(0)
    model = build_model(str(weights))
    augment = T.Compose([
        T.RandomResizedCrop(224, scale=(0.4, 1.0), interpolation=T.InterpolationMode.BICUBIC),
        T.RandomHorizontalFlip(),
        T.ColorJitter(0.2, 0.2, 0.2),
    ])
    rows = []
    for path in paths:
        short = short_side_256(path)
        plain = to_input(centre_crop(short))
        batch = [plain, torch.flip(plain, dims=[3])]
        batch += [to_input(augment(short)) for _ in range(views - 2)]
        rows.append(pooled_features(model, torch.cat(batch)))
    features = torch.stack(rows)
    torch.save({"paths": paths, "features": features}, cache)
    return paths, features.numpy()


def accuracy(model, features, labels, flip):
    probabilities = model.predict_proba(features[:, 0])
    if flip:
        probabilities = (probabilities + model.predict_proba(features[:, 1])) / 2
    return float((model.classes_[probabilities.argmax(1)] == labels).mean())


def main():
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    from recipe_sweep import run_baseline

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--weights", required=True, type=pathlib.Path)
    parser.add_argument("--runs", required=True, type=pathlib.Path, help="recipe_sweep.py --json output")
    parser.add_argument("--views", type=int, default=6, help="plain + mirror + augmented crops")
    args = parser.parse_args()
    data = args.data.resolve()
    runs = json.loads(args.runs.read_text())
    paths, features = view_features(data, args.weights, args.views)
    index = {p: i for i, p in enumerate(paths)}
    labels = np.array([pathlib.Path(p).parts[-2] for p in paths])
    test = np.array([i for i, p in enumerate(paths) if pathlib.Path(p).parts[-3] == "test"])
    scaled = features / np.linalg.norm(features, axis=-1, keepdims=True).clip(1e-12)

    # Each (shots, seed)'s training images, as the sweep's d = 0 runs (or any depth) drew them.
    draws, engine = {}, {}
    for run in runs["engine"]:
        key = (run["shots"], run["seed"])
        draws[key] = [index[str(pathlib.Path(f).resolve())] for f in run["train_files"]]
        if run["depth"] == 0:
            engine.setdefault(run["shots"], []).append(run["test_accuracy"])

    # The sweep's own baseline: the same fits (cached next to the set) as its table.
    baseline = run_baseline(data, args.weights, runs["engine"])

    fits = list(itertools.product(C_GRID, ("raw", "unit length"), (1, 2, args.views)))
    grid = [fit + (flip,) for fit in fits for flip in (False, True)]
    print(f"{data.name}: the best linear head on frozen features, picked on the test images "
          f"(an upper bound), mean over seeds; {len(grid)} configurations")
    print("| shots/class | LogReg (baseline) | Ajuste d = 0 | best linear head (oracle) | its settings |")
    print("|---|---|---|---|---|")
    for shots in sorted({s for s, _ in draws}):
        seeds = sorted(seed for s, seed in draws if s == shots)
        scores = {config: [] for config in grid}
        for seed in seeds:
            train = np.array(draws[(shots, seed)])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for C, scaling, views in fits:
                    chosen = scaled if scaling == "unit length" else features
                    x = chosen[train, :views]
                    model = LogisticRegression(C=C, max_iter=3000).fit(
                        x.reshape(-1, x.shape[-1]), np.repeat(labels[train], views))
                    for flip in (False, True):
                        scores[(C, scaling, views, flip)].append(
                            accuracy(model, chosen[test], labels[test], flip))
        best = max(grid, key=lambda config: statistics.mean(scores[config]))
        base = 100 * statistics.mean(baseline[(shots, seed)][0] for seed in seeds)
        top = 100 * statistics.mean(scores[best])
        ours = f"{100 * statistics.mean(engine[shots]):.1f}" if shots in engine else "–"
        C, scaling, views, flip = best
        print(f"| {shots} | {base:.1f} | {ours} | {top:.1f} ({top - base:+.1f}) | "
              f"C = {C:g}, {scaling}, {views} view(s), {'flip' if flip else 'no flip'} |", flush=True)


if __name__ == "__main__":
    main()
