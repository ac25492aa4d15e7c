"""The committed benchmark reports are what report.py writes from their JSON."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
RESULTS = sorted((BENCHMARKS / "results").glob("*.json"))


@pytest.fixture(scope="module")
def report(request):
    sys.path.insert(0, str(BENCHMARKS))
    request.addfinalizer(lambda: sys.path.remove(str(BENCHMARKS)))
    import report

    return report


def test_results_are_committed_in_pairs():
    assert RESULTS, "no benchmark results committed"
    for path in RESULTS:
        assert path.with_suffix(".md").is_file(), path


@pytest.mark.parametrize("path", RESULTS, ids=[p.stem for p in RESULTS])
def test_report_matches_its_results(report, path):
    results = json.loads(path.read_text())
    assert report.markdown(results) == path.with_suffix(".md").read_text()
    assert not results["quick"]  # only full runs are committed
