"""What a notebook user sees: a real IPython kernel, run by nbclient.

One notebook fits the estimators, shows them and draws every Display; the
tests read its outputs as Jupyter would render them, and ask the kernel for
completions as Jupyter's frontends do (a ``complete_request``).
"""

import re
import textwrap

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

SETUP = """
%matplotlib inline
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from skfashion import (ANNClassifier, CNNClassifier, EmbeddingTransformer,
                       ImagePreprocessor)
from skfashion.reporting import (CVResultsDisplay, EmbeddingDisplay,
    FeatureMapsDisplay, OcclusionDisplay, PredictionGridDisplay,
    TrainingHistoryDisplay)
digits = load_digits()
X, y, images = digits.data / 16, digits.target, digits.images / 16
ann = ANNClassifier(hidden_layer_sizes=(32,), epochs=2, batch_size=100,
                    random_state=0)
"""

# name -> (source, what the HTML repr must say); the cells run in this order.
REPR_CELLS = {
    "unfitted": ("ann", "Not fitted"),
    # 18 steps an epoch, traced and run 32 at a time: Keras reports step 32
    # of 18 unless the bar clamps it.
    "progress": ("ann.set_params(verbose=1).fit(X, y)", "Fitted"),
    "pipeline": (
        "pipe = make_pipeline(ImagePreprocessor(input_range=(0, 1)),\n"
        "    ANNClassifier(hidden_layer_sizes=(16,), epochs=1, random_state=0))\n"
        "pipe.fit(X, y)",
        "Fitted",
    ),
    "search": (
        "search = GridSearchCV(ANNClassifier(epochs=1, random_state=0),\n"
        "    {'hidden_layer_sizes': [(8,), (16,)]}, cv=2).fit(X, y)\n"
        "search",
        "Fitted",
    ),
    "embedding_unfitted": ("EmbeddingTransformer(ann)", "Not fitted"),
    "embedding": (
        "EmbeddingTransformer(ann.set_params(verbose=0)).fit(X, y)",
        "Fitted",
    ),
    "cnn": (
        "cnn = CNNClassifier(filters=(4,), hidden_layer_sizes=(16,), epochs=1,\n"
        "                    random_state=0).fit(images, y)\n"
        "cnn",
        "Fitted",
    ),
}

DISPLAY_CELLS = {
    "TrainingHistoryDisplay": "TrainingHistoryDisplay.from_estimator(ann);",
    "CVResultsDisplay": (
        "CVResultsDisplay.from_cv_results(search, x='hidden_layer_sizes');"
    ),
    "PredictionGridDisplay": "PredictionGridDisplay.from_estimator(ann, X, y);",
    "FeatureMapsDisplay": "FeatureMapsDisplay.from_estimator(cnn, images[0]);",
    "EmbeddingDisplay": "EmbeddingDisplay.from_estimator(ann, X[:300], y[:300]);",
    "OcclusionDisplay": "OcclusionDisplay.from_estimator(cnn, images[:2]);",
}

COMPLETE = "ann.predict_p"


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """The executed notebook, as ``(cells by name, completion reply)``."""
    names = ["setup", *REPR_CELLS, *DISPLAY_CELLS]
    sources = [
        SETUP,
        *(source for source, _ in REPR_CELLS.values()),
        *DISPLAY_CELLS.values(),
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources]
    path = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(
        nb,
        timeout=120,  # per cell
        kernel_name="python3",
        resources={"metadata": {"path": str(path)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        msg_id = client.kc.complete(COMPLETE, len(COMPLETE))
        reply = client.wait_for_reply(msg_id)
    return dict(zip(names, nb.cells)), reply["content"]


def _html(cell):
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    return result.data.get("text/html", "")


def _stream(cell, name):
    return "".join(
        o.text for o in cell.outputs if o.output_type == "stream" and o.name == name
    )


@pytest.mark.parametrize("name", REPR_CELLS)
def test_html_repr_says_whether_fitted(notebook, name):
    cells, _ = notebook
    html = _html(cells[name])
    assert 'class="sk-top-container' in html, html[:500]
    # scikit-learn's status badge: exactly the one the cell's estimator has.
    (status,) = set(re.findall(r"<span>(Fitted|Not fitted)</span>", html))
    assert status == REPR_CELLS[name][1]


def test_fitted_repr_lists_fitted_attributes(notebook):
    cells, _ = notebook
    html = _html(cells["progress"])
    assert "Fitted attributes" in html
    for attribute in ("classes_", "model_", "history_", "n_iter_"):
        assert f">{attribute}<" in html


def test_completer_offers_predict_proba(notebook):
    _, reply = notebook
    assert reply["status"] == "ok"
    assert (
        "ann.predict_proba" in reply["matches"] or "predict_proba" in reply["matches"]
    )


@pytest.mark.parametrize("name", DISPLAY_CELLS)
def test_display_draws_inline_png(notebook, name):
    cells, _ = notebook
    pngs = [
        o.data["image/png"]
        for o in cells[name].outputs
        if o.output_type == "display_data" and "image/png" in o.data
    ]
    assert len(pngs) == 1
    assert pngs[0].startswith("iVBORw0KGgo")  # base64 of the PNG signature


def _screen(text):
    """The lines a terminal or notebook shows after ``\\r`` and ``\\b``."""
    lines, line, col = [], [], 0
    for char in text:
        if char == "\n":
            lines.append("".join(line))
            line, col = [], 0
        elif char == "\r":
            col = 0
        elif char == "\b":
            col = max(col - 1, 0)
        else:
            line[col : col + 1] = [char]
            col += 1
    return [*lines, "".join(line)]


def test_progress_bar_renders_and_stays_within_total(notebook):
    cells, _ = notebook
    text = re.sub(r"\x1b\[[0-9;]*m", "", _stream(cells["progress"], "stdout"))
    assert "━━━━" in text  # the bar itself, as Keras draws it
    counts = [(int(n), int(t)) for n, t in re.findall(r"(\d+)/(\d+) ━", text)]
    assert counts, text[:500]
    assert all(n <= total for n, total in counts), counts
    assert {total for _, total in counts} == {18}
    final = [line for line in _screen(text) if line.strip()]
    assert [line.split()[0] for line in final] == ["Epoch", "18/18"] * 2, final


def test_no_errors_and_no_tracebacks(notebook):
    cells, _ = notebook
    for name, cell in cells.items():
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (name, errors)
        stderr = _stream(cell, "stderr")
        assert "Traceback" not in stderr and "Error" not in stderr, (name, stderr)
