"""The package's layout: the Keras side knows nothing of the estimators."""

import ast
from pathlib import Path

KERAS_SIDE = Path(__file__).resolve().parents[1] / "skfashion" / "_keras"


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_the_keras_side_imports_only_itself_from_skfashion():
    backwards = {
        (path.name, name)
        for path in KERAS_SIDE.glob("*.py")
        for name in _imports(path)
        if name.split(".")[0] == "skfashion" and not name.startswith("skfashion._keras")
    }
    assert backwards == set()
