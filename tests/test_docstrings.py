"""The estimators' docstrings document every parameter with its real default."""

import ast
import inspect
import re

import pytest

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor

# "name : type, default=VALUE" lines of a numpydoc Parameters section.
_PARAMETER_LINE = re.compile(r"^(\w+) : .*?, default=(.+)$", flags=re.M)


def _documented_defaults(cls):
    # cleandoc: Python 3.13 strips the indentation that earlier versions keep.
    section = inspect.cleandoc(cls.__doc__).split("Parameters\n----------\n")[1]
    section = section.split("Attributes\n----------\n")[0]
    return dict(_PARAMETER_LINE.findall(section))


@pytest.mark.parametrize("cls", [ANNClassifier, CNNClassifier, ImagePreprocessor])
def test_documented_defaults_match_signature(cls):
    signature = {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind != p.VAR_KEYWORD
    }
    documented = _documented_defaults(cls)
    assert sorted(documented) == sorted(signature)
    for name, text in documented.items():
        assert ast.literal_eval(text) == signature[name], name


def test_every_display_has_an_example():
    """Each Display's docstring has an Examples section (run as a doctest)."""
    import skfashion.reporting

    displays = [n for n in skfashion.reporting.__all__ if n.endswith("Display")]
    assert len(displays) == 6
    for name in displays:
        doc = inspect.cleandoc(getattr(skfashion.reporting, name).__doc__)
        assert "\nExamples\n--------\n>>> " in doc, name
