"""sphinx-gallery's ``reset_argv``: the docs build runs each example quickly."""

from pathlib import Path

OUTPUT = Path(__file__).parent / "_build" / "example-output"


def reset_argv(gallery_conf, script_vars):
    """Arguments for each example: its quick mode, PNG files out of the tree."""
    return ["--quick", "--output-dir", str(OUTPUT)]
