"""Command-line options shared by the examples (not an example itself)."""

import argparse
import os
import sys
from pathlib import Path


def parse_args(description):
    """Parse ``--quick`` and ``--output-dir``; tolerate sphinx-gallery's argv."""
    parser = argparse.ArgumentParser(description=description)
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
    # sphinx-gallery runs examples with its own argv; ignore what is not ours.
    args, _ = parser.parse_known_args(sys.argv[1:] if __name__ != "__main__" else None)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    return args
