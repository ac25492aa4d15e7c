"""Rerun what README.md prints and rewrite its output blocks in place.

    SKFASHION_DATA=../shared/datasets .venv/bin/python scripts/update_readme.py

README.md marks each printed block with HTML comments:

- ``<!-- output: main -->`` ... ``<!-- end output -->``: the main job,
  ``examples/plot_ann_grid_search.py`` (its full run), and its
  ``cv_results.png``, copied to ``docs/_static/readme_cv_results.png``;
- ``<!-- output: estimators -->`` ... ``<!-- end output -->``: the Python
  block just above the marker, run as it is.

Each block is written with the machine, the date and the seconds its run
took. Run this after any change to a default or to what these print
(CONTRIBUTING.md); ``--only main`` or ``--only estimators`` reruns one.
"""

import argparse
import contextlib
import io
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(
    r"(<!-- output: (?P<name>[a-z]+) -->\n)(?P<body>.*?)(<!-- end output -->)",
    re.DOTALL,
)


def machine():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from harness import machine as describe  # the benchmarks' one description

    return describe()


def run_main():
    """The main job's printed output and seconds; copies its cv_results.png."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "plot_ann_grid_search.py"),
             "--output-dir", out],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        shutil.copy(
            Path(out) / "cv_results.png", ROOT / "docs/_static/readme_cv_results.png"
        )
    return result.stdout, seconds


def run_snippet(text, marker_start):
    """What the last ```python block before ``marker_start`` prints."""
    code = re.findall(r"```python\n(.*?)```", text[:marker_start], re.DOTALL)[-1]
    buffer = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    return buffer.getvalue(), time.perf_counter() - start


def block(name, output, seconds, where):
    lead = {
        "main": "`bash scripts/main.sh` printed this",
        "estimators": "It printed this",
    }[name]
    return (
        f"{lead}, in {seconds:.0f} s on {where}, {date.today().isoformat()} "
        "(`python scripts/update_readme.py` reran it):\n\n"
        f"```text\n{output.rstrip()}\n```\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["main", "estimators"], default=None)
    args = parser.parse_args(argv)
    text = README.read_text()
    where = machine()
    pieces = {}
    for match in BLOCK.finditer(text):
        name = match["name"]
        if args.only and name != args.only:
            continue
        print(f"running the {name} block", flush=True)
        if name == "main":
            output, seconds = run_main()
        else:
            output, seconds = run_snippet(text, match.start())
        pieces[name] = block(name, output, seconds, where)
    if not pieces:
        raise SystemExit("README.md has no <!-- output: ... --> blocks to rerun")
    text = BLOCK.sub(lambda m: m[1] + pieces.get(m["name"], m["body"]) + m[4], text)
    README.write_text(text)
    print(f"rewrote {', '.join(pieces)} in {README.name}")


if __name__ == "__main__":
    main()
