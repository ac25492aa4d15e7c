"""A page that quotes a benchmark figure quotes one its results file holds.

Benchmark figures reach the docs from ``benchmarks/results/*.json``: the
Performance page's takeaway tables and the ``|name|`` substitutions are
generated at build time (``docs/_figures.py``), and each report
(``benchmarks/results/*.md``) is what ``report.py`` writes from its JSON
(``tests/test_benchmarks.py``). A figure typed into a page by hand must
still be one of theirs: this test fails when a page quotes an accuracy, a
time (s, ms), a ratio ("0.95x", "3 times"), a peak or a size (MB, GB) that
no report holds, as happens when a default changes and the page is not
updated. The few sizes that are facts rather than measurements (a dataset's
download, the machines' memory) are listed in :data:`NOT_MEASURED` with
where they come from. Code blocks (the README's printed
outputs, which ``scripts/update_readme.py`` rewrites) and the history pages
(the changelog) are not scanned.
"""

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
# Accuracies (0.9xxx, 93.8%), seconds, milliseconds, peaks, sizes and
# ratios, in digits or, for "N times", in words.
NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten"
FIGURE = re.compile(
    r"(?<![\w.|-])(0\.9\d{3}|\d\d\.\d%"
    r"|\d[\d,]*(?:\.\d+)? ?(?:ms|s|GFLOP/s|kB|KB|MB|GB|MiB|GiB)\b"
    r"|\d+(?:\.\d+)?x\b"
    rf"|(?:\d+(?:\.\d+)?|{NUMBER_WORDS}) times\b)"
)
# Sizes that no benchmark measures, and where each comes from.
NOT_MEASURED = {
    "30 MB": "Fashion-MNIST's four official files, 30,878,645 bytes",
    "24 GiB": "the memory of the benchmark machines, as the VMs are specified",
}


def quoted_figures(text):
    """``(line number, figure)`` of each figure outside code blocks and the
    README's generated ``<!-- output: ... -->`` blocks."""
    fenced = generated = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("<!-- output: "):
            generated = True
        elif line.startswith("<!-- end output -->"):
            generated = False
        elif line.startswith("```"):
            fenced = not fenced
        elif not (fenced or generated):
            for match in FIGURE.finditer(line):
                yield number, match.group(1)


def example_prose(path):
    """What the gallery renders as text from an example: its docstring and
    the comment blocks after each ``# %%`` (code and its comments are left
    out, as a page's code blocks are); other lines are blank, so that line
    numbers are the file's."""
    source = path.read_text()
    lines = source.splitlines()
    prose = [""] * len(lines)
    docstring = ast.parse(source).body[0]
    for i in range(docstring.lineno - 1, docstring.end_lineno):
        prose[i] = lines[i]
    for i, line in enumerate(lines):
        if line.startswith("# %%"):
            for j in range(i + 1, len(lines)):
                if not lines[j].startswith("#"):
                    break
                prose[j] = lines[j][1:]
    return "\n".join(prose)


@pytest.fixture(scope="module")
def reports():
    return "\n".join(p.read_text() for p in sorted(RESULTS.glob("*.md")))


def stray_figures(name, text, reports):
    """``name:line: figure`` of each figure in ``text`` that no report holds."""
    return [
        f"{name}:{n}: {figure}"
        for n, figure in quoted_figures(text)
        if figure.replace(",", "") not in reports and figure not in NOT_MEASURED
    ]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_quoted_figure_is_in_a_results_file(page, reports):
    stray = stray_figures(page.name, page.read_text(), reports)
    assert not stray, "figures no benchmark report holds: " + ", ".join(stray)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_figure_an_example_states_is_in_a_results_file(example, reports):
    stray = stray_figures(example.name, example_prose(example), reports)
    assert not stray, "figures no benchmark report holds: " + ", ".join(stray)


def test_example_prose_is_the_text_the_gallery_shows():
    text = example_prose(ROOT / "examples" / "plot_onnx_export.py")
    assert "3224 MB" in text  # the docstring
    assert "# %%" not in text and "import " not in text.split('"""')[-1]


def test_the_scan_finds_figures():
    """The pattern catches what pages quote (so the test above can fail)."""
    text = (
        "reached 0.9378 (93.8%) in 166 s, 1.54 ms, 0.55x, 57 GFLOP/s, 3,224 MB,\n"
        "2.7 GB, 1.2 times, three times slower\n```\n0.9999\n"
        "```\n<!-- output: main -->\nin 12 s\n<!-- end output -->\n"
    )
    assert [f for _, f in quoted_figures(text)] == [
        "0.9378", "93.8%", "166 s", "1.54 ms", "0.55x", "57 GFLOP/s", "3,224 MB",
        "2.7 GB", "1.2 times", "three times",
    ]  # fmt: skip


def test_substitutions_come_from_the_results(tmp_path):
    """The docs' |name| figures are the JSON's, and a page's substitution
    names exist."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import _figures
    finally:
        sys.path.remove(str(ROOT / "docs"))
    results = json.loads((RESULTS / "c.json").read_text())
    subs = _figures.substitutions({"c": results})
    row = results["defaults"]["cnn-default"]
    assert subs["c.cnn-default.accuracy"] == f"{row['accuracy']:.4f}"
    assert subs["c.cnn-default.fit_s"] == f"{row['fit_s']:.0f}"
    every = _figures.substitutions()
    for page in PAGES:
        for name in re.findall(r"\|([\w.-]+\.[\w.-]+)\|", page.read_text()):
            assert name in every, f"{page.name} uses |{name}|, which no results define"
    takeaways = _figures.takeaways_rst(_figures.load_results())
    assert "cnn-default: median accuracy >= 0.935" in takeaways
