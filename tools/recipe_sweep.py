#!/usr/bin/env python3
"""The training recipe against the textbook baseline on real photos: a benchmark, not a test.

For a set unpacked by tools/photo_sets.py (DIR/train/<class>, DIR/test/<class>), runs
`examples/recipe_sweep.rs` (Ajuste's own training: shots per class × freeze depth × seed, test
accuracy and training seconds per run) and, in the same run and on the very same training
images per (shots, seed), the baseline: logistic regression (scikit-learn, default settings)
on the pooled features of the same checkpoint in PyTorch (tools/reference.py's network and
preprocessing, plain centre crops). Prints one markdown table: mean ± standard deviation of
test accuracy over the seeds, the difference to the baseline, and the mean training seconds
(after features are computed).

    python3 tools/recipe_sweep.py --data DIR --weights efficientnet-lite0-57934424.pth \\
        [--shots 5,10,30] [--depths 0,1,2,4] [--seeds 0,1,2] [-- --epochs 60 ...]

Settings after `--` go to the Rust sweep (they override the library's recipe). Installs
scikit-learn with pip when it is missing. Features are cached next to the set (DIR/.baseline-features.pt
for PyTorch, DIR/.engine-features-d<depth>.bin for the engine), and so are the baseline's fits
(DIR/.baseline-results.json, by training files), so that a second run only trains.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def ensure_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "scikit-learn"], check=True)


def run_engine(args, extra):
    subprocess.run(
        ["cargo", "build", "--release", "--example", "recipe_sweep"], cwd=ROOT, check=True
    )
    target = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    binary = pathlib.Path(json.loads(target.stdout)["target_directory"]) / "release" / "examples" / "recipe_sweep"
    command = [
        str(binary), "--data", str(args.data), "--weights", str(args.weights),
        "--shots", args.shots, "--depths", args.depths, "--seeds", args.seeds,
        "--features", str(args.data / f".engine-features-d{max(map(int, args.depths.split(',')))}.bin"),
        *extra,
    ]
    output = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return [json.loads(line) for line in output.stdout.splitlines() if line.strip()]


def set_paths(data):
    """Every training and test image of a set, sorted (the key of the caches next to it)."""
    return sorted(str(p) for p in data.glob("*/*/*") if p.is_file() and not p.name.startswith("."))


def baseline_features(data, weights):
    """Pooled PyTorch features of every training and test image, cached next to the set."""
    import torch
    from reference import build_model, pooled_features, preprocess

    cache = data / ".baseline-features.pt"
    paths = set_paths(data)
    if cache.exists():
        stored = torch.load(cache)
        if stored["paths"] == paths:
            return dict(zip(paths, stored["features"]))
    torch.set_grad_enabled(False)
    model = build_model(str(weights))
    features = []
    for start in range(0, len(paths), 32):
        batch = torch.cat([preprocess(p) for p in paths[start:start + 32]])
        features.append(pooled_features(model, batch))
    features = torch.cat(features)
    torch.save({"paths": paths, "features": features}, cache)
    return dict(zip(paths, features))


def run_baseline(data, weights, engine_runs):
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    features = baseline_features(data, weights)
    test = sorted((p for p in features if pathlib.Path(p).parts[-3] == "test"))
    test_x = np.stack([features[p].numpy() for p in test])
    test_y = [pathlib.Path(p).parts[-2] for p in test]
    # A fit depends only on its training files: kept next to the set, as the features are.
    stored = data / ".baseline-results.json"
    known = json.loads(stored.read_text()) if stored.exists() else {}
    results = {}
    for run in engine_runs:
        key = (run["shots"], run["seed"])
        if key in results:
            continue
        files = [str((ROOT / f).resolve()) if not pathlib.Path(f).is_absolute() else f for f in run["train_files"]]
        files_key = "\n".join(files)
        if files_key in known:
            results[key] = tuple(known[files_key])
            continue
        x = np.stack([features[f].numpy() for f in files])
        y = [pathlib.Path(f).parts[-2] for f in files]
        started = time.perf_counter()
        with warnings.catch_warnings():
            # The defaults (lbfgs, max_iter=100) are the baseline, warts and all.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LogisticRegression().fit(x, y)
        seconds = time.perf_counter() - started
        results[key] = (float(np.mean(model.predict(test_x) == np.array(test_y))), seconds)
        known[files_key] = results[key]
    stored.write_text(json.dumps(known))
    return results


def spread(values):
    return statistics.stdev(values) if len(values) > 1 else 0.0


def table(engine_runs, baseline, depths, shots_list):
    lines = [
        "| shots/class | LogReg (baseline) | " + " | ".join(f"d = {d}" for d in depths) + " |",
        "|---" * (2 + len(depths)) + "|",
    ]
    for shots in shots_list:
        base = [acc for (s, _), (acc, _) in baseline.items() if s == shots]
        base_seconds = statistics.mean(sec for (s, _), (_, sec) in baseline.items() if s == shots)
        base_mean = statistics.mean(base)
        cells = [f"{100 * base_mean:.1f} ± {100 * spread(base):.1f} ({base_seconds:.2f} s)"]
        for depth in depths:
            runs = [r for r in engine_runs if r["shots"] == shots and r["depth"] == depth]
            if not runs:
                cells.append("–")
                continue
            accuracies = [r["test_accuracy"] for r in runs]
            mean = statistics.mean(accuracies)
            plain = statistics.mean(r["plain_test_accuracy"] for r in runs)
            seconds = statistics.mean(r["train_seconds"] for r in runs)
            cells.append(
                f"{100 * mean:.1f} ± {100 * spread(accuracies):.1f} "
                f"({100 * (mean - base_mean):+.1f}; {seconds:.2f} s; "
                f"{100 * plain:.1f} without the flip)"
            )
        lines.append(f"| {shots} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", required=True, type=pathlib.Path)
    parser.add_argument("--weights", required=True, type=pathlib.Path)
    parser.add_argument("--shots", default="5,10,30")
    parser.add_argument("--depths", default="0,1,2,4")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--json", type=pathlib.Path, help="also write every run here")
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    ensure_sklearn()
    engine_runs = run_engine(args, extra)
    baseline = run_baseline(args.data, args.weights, engine_runs)
    if args.json:
        args.json.write_text(json.dumps({"engine": engine_runs, "baseline": {
            f"{s}/{seed}": v for (s, seed), v in baseline.items()}}, indent=1))
    depths = [int(d) for d in args.depths.split(",")]
    shots = [int(s) for s in args.shots.split(",")]
    print(f"{args.data.name}: test accuracy % (mean ± std over seeds {args.seeds}; "
          f"vs baseline; mean training seconds after features)")
    print(table(engine_runs, baseline, depths, shots))


if __name__ == "__main__":
    main()
