"""The how-to page docs/serving.rst, run as written: its three code blocks
export a pipeline, start a real HTTP server on 127.0.0.1 and send it images."""

import re
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "serving.rst"


def _blocks(text):
    """The literal blocks of an rst page (after ``::``), dedented."""
    blocks = []
    for match in re.finditer(r"::\n\n((?:(?:    .*)?\n)+)", text):
        lines = match.group(1).splitlines()
        blocks.append("\n".join(line[4:] for line in lines))
    return blocks


def test_the_page_serves_predictions_over_http(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blocks = _blocks(PAGE.read_text())
    assert len(blocks) == 3
    namespace = {}
    try:
        for block in blocks:
            exec(compile(block, str(PAGE), "exec"), namespace)
        answer, pipe, X = namespace["answer"], namespace["pipe"], namespace["X"]
        assert answer["labels"] == pipe.predict(X[:5]).tolist()
        np.testing.assert_allclose(
            answer["proba"], pipe.predict_proba(X[:5]), rtol=0, atol=1e-5
        )
        # A malformed request gets a 400 with its reason, and the server lives on.
        bad = urllib.request.Request(namespace["url"], data=b"[[1, 2], [3]]")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(bad)
        assert error.value.code == 400
        assert "error" in error.value.read().decode()
    finally:
        if "server" in namespace:
            namespace["server"].shutdown()
