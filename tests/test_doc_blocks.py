"""Every Python block of the README and the docs runs as written.

Each page's blocks run in order, in one fresh Python process, from an empty
folder, sharing one namespace (a block may use what an earlier block of the
same page defined, as a reader running the page would). The one test-only
setting shrinks the data, never the code: the fetchers return at most
:data:`MAX_TRAIN` training and :data:`MAX_TEST` test images when a block
asks for more, so that a page that trains on all 60,000 images runs in
seconds. A block that cannot run here says so where the reader sees it: its
caption starts with "Not run" and gives the reason
(``.. code-block:: python`` with ``:caption: Not run here: ...``).

Which blocks are Python: ``.. code-block:: python`` (and ``code``,
``sourcecode``), a literal block (``::``) whose text parses as Python, and a
Markdown fence marked ``python``. ``.. plot::`` blocks are run by the docs
build (``sphinx -W``), and the gallery examples by sphinx-gallery.

Deselected by default (``-m docs`` runs it; CI does, after the tests): the
pages take a few CPU-minutes, which the README's test command leaves out.
"""

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
MAX_TRAIN, MAX_TEST = 2000, 500
DIRECTIVE = re.compile(r"^(\s*)\.\. (code-block|code|sourcecode)::\s*(\S*)\s*$")
TIMEOUT = 900


def _indented_block(lines, start):
    """The indented text that starts at or after ``lines[start]`` (after
    blank lines), dedented, and the index of the line after it."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    first = i
    if i >= len(lines) or not lines[i].startswith((" ", "\t")):
        return "", first, first
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
        i += 1
    return textwrap.dedent("\n".join(lines[first:i])).strip("\n"), first, i


def _parses(code):
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def rst_blocks(text):
    """``[(line, code, skip_reason)]`` of an RST page's Python blocks."""
    lines, blocks, i = text.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE.match(line)
        if directive:
            language, caption, i = directive.group(3), "", i + 1
            while i < len(lines) and re.match(r"^\s+:\w[\w-]*:", lines[i]):
                option = re.match(r"^\s+:caption:\s*(.*)$", lines[i])
                caption = option.group(1) if option else caption
                i += 1
            code, first, i = _indented_block(lines, i)
            if language in ("python", "py", "python3"):
                skip = caption if caption.lower().startswith("not run") else None
                blocks.append((first + 1, code, skip))
            continue
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".. "):
            code, first, i = _indented_block(lines, i + 1)
            if code and _parses(code):
                blocks.append((first + 1, code, None))
            continue
        i += 1
    return blocks


def markdown_blocks(text):
    """``[(line, code, None)]`` of a Markdown page's ``python`` fences."""
    blocks, code, start = [], None, 0
    for number, line in enumerate(text.splitlines(), 1):
        if code is None and line.startswith("```python"):
            code, start = [], number + 1
        elif code is not None and line.startswith("```"):
            blocks.append((start, "\n".join(code), None))
            code = None
        elif code is not None:
            code.append(line)
    return blocks


def page_blocks(page):
    text = page.read_text()
    return markdown_blocks(text) if page.suffix == ".md" else rst_blocks(text)


# Runs in the page's process: shrinks the fetchers' data, then each block.
DRIVER = """
import json, sys, traceback, types
import matplotlib
matplotlib.use("Agg")
import skfashion.datasets as datasets
from skfashion.datasets import _mnist

def shrink(fetch):
    def fetch_at_most(*args, subset="train", n_samples=None, **kwargs):
        cap = {max_test} if subset == "test" else {max_train}
        n_samples = cap if n_samples is None else min(n_samples, cap)
        return fetch(*args, subset=subset, n_samples=n_samples, **kwargs)
    fetch_at_most.__doc__ = fetch.__doc__
    return fetch_at_most

for name in ("fetch_fashion_mnist", "fetch_mnist"):
    setattr(datasets, name, shrink(getattr(_mnist, name)))

page, blocks = json.load(sys.stdin)
# The blocks run as one script would: in a fresh __main__ module, so that
# what they define can be imported (skfashion.io.register) and pickled.
script = types.ModuleType("__main__")
sys.modules["__main__"] = script
for line, code in blocks:
    try:
        exec(compile(code, f"{{page}}, block at line {{line}}", "exec"), vars(script))
    except BaseException:
        traceback.print_exc()
        print(f"FAILED: {{page}}, the block at line {{line}}", file=sys.stderr)
        sys.exit(1)
    print(f"ran {{page}}:{{line}}", flush=True)
""".format(max_train=MAX_TRAIN, max_test=MAX_TEST)


def run_page(page, tmp_path):
    blocks = [(line, code) for line, code, skip in page_blocks(page) if skip is None]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps([page.name, blocks]),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=TIMEOUT,
    )


# Pages whose blocks a test of their own runs as written, with more checks.
RUN_ELSEWHERE = {"serving.rst": "tests/test_serving.py (a real server, a bad request)"}
RUNNABLE = [
    p
    for p in PAGES
    if p.name not in RUN_ELSEWHERE
    and any(skip is None for _, _, skip in page_blocks(p))
]


@pytest.mark.docs
@pytest.mark.parametrize("page", RUNNABLE, ids=[p.name for p in RUNNABLE])
def test_every_block_of_the_page_runs(page, tmp_path):
    result = run_page(page, tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-6000:]


def test_blocks_not_run_say_why():
    """A skipped block gives its reason in a caption the reader sees."""
    for page in PAGES:
        for line, _, skip in page_blocks(page):
            if skip is not None:
                assert len(skip) > len("Not run here: "), f"{page.name}:{line}"


def test_the_parser_finds_python_blocks():
    text = textwrap.dedent(
        """\
        Title
        =====
        A literal block::

            import numpy as np
            x = np.ones(3)

        A shell line::

            pip install -e ".[onnx]"

        .. code-block:: python
           :caption: Not run here: needs a GPU

           model.fit(X, y)

        .. code-block:: text

           0.93

        .. code-block:: python

           print(x)
        """
    )
    assert rst_blocks(text) == [
        (5, "import numpy as np\nx = np.ones(3)", None),
        (15, "model.fit(X, y)", "Not run here: needs a GPU"),
        (23, "print(x)", None),
    ]
    markdown = "text\n```python\nprint(1)\n```\n```bash\nls\n```\n"
    assert markdown_blocks(markdown) == [(3, "print(1)", None)]


def test_a_failing_block_fails_its_page(tmp_path):
    """The runner reports the page and line of a block that raises."""
    page = tmp_path / "page.rst"
    page.write_text("Run this::\n\n    x = 1\n\nthen::\n\n    y = undefined_name\n")
    result = run_page(page, tmp_path)
    assert result.returncode == 1
    assert "page.rst, the block at line 7" in result.stderr
    assert "NameError" in result.stderr


EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
    "optional-dependencies"
]
INSTALL_TEXTS = [
    *PAGES,
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "examples").glob("*.py")),
]
# What an example imports or calls that only an extra installs.
NEEDS = {
    "onnx": r"import onnxruntime|from skl2onnx|import skfashion\.onnx",
    "optuna": r"import optuna|from optuna",
    "tensorboard": r"TensorBoard\(|write_projector",
    "skops": r"import skops|from skops",
    "mlflow": r"import mlflow",
    "dask": r"from dask|import dask",
}


def test_install_lines_name_extras_that_exist():
    """Every ``.[extra,...]`` a page or example tells users to install is
    one of pyproject.toml's extras."""
    for path in INSTALL_TEXTS:
        for group in re.findall(r"\.\[([\w,-]+)\]", path.read_text()):
            for extra in group.split(","):
                assert extra in EXTRAS, f"{path.name} installs unknown extra {extra!r}"


def test_the_install_page_lists_every_extra():
    text = (ROOT / "docs" / "install.rst").read_text()
    missing = [e for e in EXTRAS if f'".[{e}]"' not in text]
    assert not missing, f"docs/install.rst does not name the extras {missing}"


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("plot_*.py")),
                         ids=lambda p: p.name)  # fmt: skip
def test_an_example_names_the_extras_it_needs(example):
    source = example.read_text()
    docstring = ast.get_docstring(ast.parse(source)) or ""
    needed = [extra for extra, pattern in NEEDS.items() if re.search(pattern, source)]
    unnamed = [e for e in needed if f'".[{e}]"' not in docstring]
    assert not unnamed, (
        f"{example.name} needs the extras {unnamed}; its docstring should say so"
    )
