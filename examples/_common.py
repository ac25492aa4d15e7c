"""Helpers shared by the examples (not an example itself)."""

import argparse
import os
import sys
import time
from pathlib import Path

from sklearn.model_selection import train_test_split


def parse_args(description):
    """Parse ``--quick`` and ``--output-dir``; tolerate sphinx-gallery's argv."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("SKFASHION_QUICK", "") not in ("", "0"),
        help="subsample the data and shrink the work (also SKFASHION_QUICK=1)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("skfashion-output"),
        help="where PNG files are written (default: ./skfashion-output)",
    )
    args, _ = parser.parse_known_args(sys.argv[1:])
    args.output_dir.mkdir(parents=True, exist_ok=True)
    args.start = time.perf_counter()
    return args


def subsample(X, y, n, seed=0):
    """A stratified random subset of ``n`` rows (all rows when n >= len(y))."""
    if n >= len(y):
        return X, y
    X_sub, _, y_sub, _ = train_test_split(
        X, y, train_size=n, stratify=y, random_state=seed
    )
    return X_sub, y_sub


def save(fig, args, name):
    """Write ``fig`` as ``<output-dir>/<name>.png`` and say so."""
    path = args.output_dir / f"{name}.png"
    fig.savefig(path, dpi=90, bbox_inches="tight")
    print(f"wrote {path}")
    return path


def elapsed(args):
    return f"{time.perf_counter() - args.start:.1f} s"


__all__ = ["elapsed", "load_fashion_mnist", "parse_args", "save", "subsample"]


def load_fashion_mnist(args, *, quick_train, quick_test=1000):
    """Fashion-MNIST train and test sets, subsampled (stratified) with --quick.

    Returns ``X, y, X_test, y_test, target_names``.
    """
    from skfashion.datasets import fetch_fashion_mnist

    train = fetch_fashion_mnist()
    test = fetch_fashion_mnist(subset="test")
    X, y, X_test, y_test = train.data, train.target, test.data, test.target
    if args.quick:
        X, y = subsample(X, y, quick_train)
        X_test, y_test = subsample(X_test, y_test, quick_test)
    return X, y, X_test, y_test, train.target_names
