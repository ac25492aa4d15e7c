"""A page that quotes a benchmark figure quotes one its results file holds.

Benchmark figures reach the docs from ``benchmarks/results/*.json``: the
Performance page's takeaway tables and the ``|name|`` substitutions are
generated at build time (``docs/_figures.py``), and each report
(``benchmarks/results/*.md``) is what ``report.py`` writes from its JSON
(``tests/test_benchmarks.py``). A figure typed into a page by hand must
still be one of theirs: this test fails when a page quotes an accuracy, a
time, a ratio or a peak that no report holds, as happens when a default
changes and the page is not updated. Code blocks (the README's printed
outputs, which ``scripts/update_readme.py`` rewrites) and the history pages
(``design_notes.md``, the changelog) are not scanned.
"""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]
# Accuracies (0.9xxx, 93.8%), seconds, milliseconds, ratios and peaks.
FIGURE = re.compile(
    r"(?<![\w.|-])(0\.9\d{3}|\d\d\.\d%|\d+(?:\.\d+)?(?: ?(?:ms|s|GFLOP/s)\b|x\b))"
)


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


@pytest.fixture(scope="module")
def reports():
    return "\n".join(p.read_text() for p in sorted(RESULTS.glob("*.md")))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_quoted_figure_is_in_a_results_file(page, reports):
    stray = [
        f"{page.name}:{n}: {figure}"
        for n, figure in quoted_figures(page.read_text())
        if figure not in reports
    ]
    assert not stray, "figures no benchmark report holds: " + ", ".join(stray)


def test_the_scan_finds_figures():
    """The pattern catches what pages quote (so the test above can fail)."""
    text = (
        "reached 0.9378 (93.8%) in 166 s, 1.54 ms, 0.55x, 57 GFLOP/s\n```\n0.9999\n"
        "```\n<!-- output: main -->\nin 12 s\n<!-- end output -->\n"
    )
    assert [f for _, f in quoted_figures(text)] == [
        "0.9378", "93.8%", "166 s", "1.54 ms", "0.55x", "57 GFLOP/s",
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
