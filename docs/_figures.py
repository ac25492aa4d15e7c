"""Benchmark figures for the docs, read from ``benchmarks/results/*.json``.

``conf.py`` calls :func:`write_takeaways` and :func:`substitutions` at each
build, so no page types a benchmark figure by hand:

- ``_generated/takeaways.rst``: per machine, each target of the results
  files, its latest measurement and whether it was met (the targets tables
  that ``benchmarks/report.py`` writes from the JSON);
- ``|name|`` substitutions for figures quoted in the prose, such as
  ``|c.cnn-default.accuracy|`` (the median accuracy of section (c)'s row
  ``cnn-default`` in ``c.json``).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _report():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import report

    return report


def load_results():
    """``{stem: results}`` of every committed results file."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}


def targets(results):
    """``[(target, measured, met)]`` of one results file, as its report
    states them (the last table of ``report.markdown``)."""
    text = _report().markdown(results)
    rows, table = [], False
    for line in text.splitlines():
        if line == "| target | measured | met |":
            table, rows = True, []
        elif table and line.startswith("| ") and not line.startswith("| ---"):
            rows.append(tuple(cell.strip() for cell in line.strip("|").split(" | ")))
        elif table and not line.startswith("|"):
            table = False
    return rows


def latest_targets(all_results):
    """Per machine, each target's latest measurement:
    ``{machine: {target: (measured, met, stem, date)}}``."""
    machines = {}
    by_date = sorted(all_results.items(), key=lambda item: item[1]["date"])
    for stem, results in by_date:  # a later run replaces an earlier one
        rows = machines.setdefault(results["machine"], {})
        for target, measured, met in targets(results):
            rows[target] = (measured, met, stem, results["date"][:10])
    return machines


def takeaways_rst(all_results):
    """One table per machine: target, latest figure, met, and which run."""
    lines = []
    for machine, rows in sorted(latest_targets(all_results).items()):
        lines += [
            machine,
            "~" * len(machine),
            "",
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 46 24 7 23",
            "   :class: takeaways",
            "",
            "   * - target",
            "     - latest",
            "     - met",
            "     - run",
        ]
        for target, (measured, met, stem, date) in rows.items():
            escaped = target.replace("*", r"\*")  # reST emphasis
            lines += [
                f"   * - {escaped}",
                f"     - {measured}",
                f"     - {met}",
                f"     - ``{stem}`` {date}",
            ]
        lines.append("")
    return "\n".join(lines)


def write_takeaways(folder):
    """Write ``takeaways.rst`` into ``folder`` (only when it changes)."""
    path = Path(folder) / "takeaways.rst"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = takeaways_rst(load_results())
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


def substitutions(all_results=None):
    """``{name: text}`` for the figures the prose quotes.

    For each section (c) row: ``STEM.ROW.accuracy`` (median, 4 decimals),
    ``STEM.ROW.fit_s`` (median seconds), ``STEM.ROW.scaled_s`` (scaled to the
    reference machine), ``STEM.ROW.epochs``, and ``STEM.ROW.seeds`` (the
    range of the seeds' accuracies); ``STEM.date`` and ``STEM.machine`` for
    every file; ``STEM.predict_1_ms`` (the estimator's median time to
    predict one image, section (f)); ``STEM.training_mb`` and
    ``STEM.serving_mb`` (the installed environments, section (h)).
    """
    report = _report()
    all_results = load_results() if all_results is None else all_results
    subs = {}
    for stem, r in all_results.items():
        subs[f"{stem}.date"] = r["date"][:10]
        subs[f"{stem}.machine"] = r["machine"]
        measured = r.get("defaults_peaks")
        peaks = report.mean_peaks(measured) if measured else None
        for name, row in r.get("defaults", {}).items():
            policy = row["runs"][0].get("dtype_policy")
            scaled = report.scaled_s(row["fit_s"], policy, peaks)
            seeds = sorted(run["accuracy"] for run in row["runs"])
            key = f"{stem}.{name}"
            subs[f"{key}.accuracy"] = f"{row['accuracy']:.4f}"
            subs[f"{key}.fit_s"] = f"{row['fit_s']:.0f}"
            subs[f"{key}.scaled_s"] = "-" if scaled is None else f"{scaled:.0f}"
            subs[f"{key}.epochs"] = f"{row['epochs_run']:.0f}"
            subs[f"{key}.seeds"] = f"{seeds[0]:.4f}-{seeds[-1]:.4f}"
        if "latency" in r:
            one = r["latency"]["predict_ms"]["1"]["skfashion"]
            subs[f"{stem}.predict_1_ms"] = f"{one:.2f}"
        environments = r.get("serving", {}).get("environments")
        if environments:
            for name in ("training_mb", "serving_mb"):
                subs[f"{stem}.{name}"] = f"{environments[name]:.0f}"
    return subs


def rst_prolog(all_results=None):
    """The substitutions as reST ``replace`` definitions."""
    return "\n".join(
        f".. |{name}| replace:: {text}"
        for name, text in sorted(substitutions(all_results).items())
    )
