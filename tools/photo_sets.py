#!/usr/bin/env python3
"""Unpacks an openly licensed photo classification set from a git copy of its repository into
DIR/train/<class>/ and DIR/test/<class>/, for measuring training recipes on real photos.

The photos are never part of this project: clone (or otherwise obtain) the set's repository,
then point this script at its git directory. Only git is needed (the files are read with
`git ls-tree` / `git cat-file`, so a bare clone works too).

    python3 tools/photo_sets.py caltech10 --git PATH/TO/Homework2-Caltech101 --out /tmp/caltech10
    python3 tools/photo_sets.py flowers5  --git PATH/TO/flower_photos        --out /tmp/flowers5

Sets (origin and licence; check them again before publishing any result):

caltech10  Ten classes of Caltech-101 (Fei-Fei Li, Marco Andreetto, Marc'Aurelio Ranzato,
           Caltech, 2003; CC BY 4.0 on CaltechDATA, doi:10.22002/D1.20086), as committed in
           github.com/MachineLearning2020/Homework2-Caltech101 (folder 101_ObjectCategories).
           Five pairs or triples that look alike (three kinds of boat, three arthropods, two
           wading birds, two flowers), all with at least 63 images: ImageNet features tell
           most Caltech-101 classes apart almost perfectly, which would leave nothing to
           measure.
flowers5   TensorFlow's "flower_photos" (five flower species, Flickr photos under CC BY 2.0 as
           listed in the archive's LICENSE.txt), as committed in github.com/Oldpel/flower_photos
           (dataset/train and dataset/val).

Each class gets TRAIN_PER_CLASS training images (the sweep draws its 5/10/30 shots from them)
and up to TEST_PER_CLASS test images, picked in a fixed seeded order so that every run of this
script writes the same files. With --dev, test/ holds other images instead (neither training
nor test images): the set to tune settings on, so that the test images are only ever measured.
"""

import argparse
import pathlib
import random
import subprocess
import sys

TRAIN_PER_CLASS = 30
TEST_PER_CLASS = 30
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")

SETS = {
    "caltech10": {
        "classes": [
            "ketch", "schooner", "ferry", "crab", "crayfish",
            "scorpion", "flamingo", "ibis", "lotus", "sunflower",
        ],
        "test_per_class": 25,
        # (folder for training images, folder for test images): one folder, split here.
        "folders": ("101_ObjectCategories/{cls}", "101_ObjectCategories/{cls}"),
    },
    "flowers5": {
        "classes": ["daisy", "dandelion", "roses", "sunflowers", "tulips"],
        # The repository's own split: training pool from train/, test images from val/.
        "folders": ("dataset/train/{cls}", "dataset/val/{cls}"),
        "test_per_class": 60,
    },
}


def git(repo, *args, data=None):
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], input=data, capture_output=True, check=True
    ).stdout


def git_dir(path):
    path = pathlib.Path(path)
    return path / ".git" if (path / ".git").is_dir() else path


def list_images(repo, folder):
    """(name, blob id) of the images directly in `folder` at HEAD, sorted by name."""
    listing = git(repo, "ls-tree", "HEAD", folder + "/").decode()
    entries = []
    for line in listing.splitlines():
        meta, name = line.split("\t", 1)
        _, kind, blob = meta.split()
        if kind == "blob" and name.lower().endswith(IMAGE_SUFFIXES):
            entries.append((pathlib.PurePosixPath(name).name, blob))
    return sorted(entries)


def write_blob(repo, blob, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(git(repo, "cat-file", "blob", blob))


def unpack(name, repo, out, dev):
    spec = SETS[name]
    train_folder, test_folder = spec["folders"]
    test_per_class = spec.get("test_per_class", TEST_PER_CLASS)
    rng = random.Random(0)
    counts = {"train": 0, "test": 0}
    for cls in spec["classes"]:
        train_pool = list_images(repo, train_folder.format(cls=cls))
        rng.shuffle(train_pool)
        train = train_pool[:TRAIN_PER_CLASS]
        if train_folder == test_folder:
            test = train_pool[TRAIN_PER_CLASS:TRAIN_PER_CLASS + test_per_class]
            held_out = train_pool[TRAIN_PER_CLASS + test_per_class:]
        else:
            test = list_images(repo, test_folder.format(cls=cls))
            rng.shuffle(test)
            test = test[:test_per_class]
            held_out = train_pool[TRAIN_PER_CLASS:]
        if dev:
            test = held_out[:test_per_class]
        if len(train) < TRAIN_PER_CLASS or not test:
            sys.exit(f"{name}: class {cls} has too few images in {repo}")
        for split, files in (("train", train), ("test", test)):
            for file_name, blob in files:
                write_blob(repo, blob, out / split / cls / file_name)
            counts[split] += len(files)
    print(
        f"{name}: {len(spec['classes'])} classes, {counts['train']} training and "
        f"{counts['test']} test images under {out}",
        file=sys.stderr,
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("set", choices=sorted(SETS))
    parser.add_argument("--git", required=True, help="the set's repository (a clone or its .git)")
    parser.add_argument("--out", required=True, type=pathlib.Path)
    parser.add_argument("--dev", action="store_true", help="tuning images in test/ instead")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"{args.out} is not empty")
    unpack(args.set, git_dir(args.git), args.out, args.dev)


if __name__ == "__main__":
    main()
