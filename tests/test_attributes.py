"""Introspection never fails: every attribute access raises AttributeError or
nothing, for every public class, fitted or not, alone, in a Pipeline and
inside a search.

``hasattr`` swallows only AttributeError, and ``dir()`` (so tab completion),
``inspect.getmembers`` and scikit-learn's HTML repr rely on it.
"""

import copy
import inspect
import pydoc
import re

import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_html_repr

from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImagePreprocessor,
)


def _ann():
    return ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0)


FACTORIES = {
    "ANNClassifier": _ann,
    "CNNClassifier": lambda: CNNClassifier(
        filters=(4,), hidden_layer_sizes=(8,), epochs=1, random_state=0
    ),
    "EmbeddingTransformer": lambda: EmbeddingTransformer(_ann()),
    "ImagePreprocessor": lambda: ImagePreprocessor(input_range=(0, 1)),
    "Pipeline": lambda: make_pipeline(ImagePreprocessor(input_range=(0, 1)), _ann()),
    "GridSearchCV": lambda: GridSearchCV(_ann(), {"alpha": [1e-4, 1e-3]}, cv=2),
}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def fitted(request, digits):
    X, y, _ = digits
    return request.param, FACTORIES[request.param]().fit(X[:300], y[:300])


def _objects(name, fitted_object):
    """The unfitted and the fitted object, and the skfashion objects inside."""
    objects = {"unfitted": FACTORIES[name](), "fitted": fitted_object}
    if name == "Pipeline":
        objects["fitted step"] = fitted_object[-1]
    if name == "GridSearchCV":
        objects["best estimator"] = fitted_object.best_estimator_
    if name == "EmbeddingTransformer":
        objects["fitted inner"] = fitted_object.estimator_
    return objects


def test_every_attribute_raises_only_attribute_error(fitted):
    name, fitted_object = fitted
    for state, obj in _objects(name, fitted_object).items():
        for attr in object.__dir__(obj):
            try:
                getattr(obj, attr)
            except AttributeError:
                pass
            except Exception as exc:  # noqa: BLE001 - the failure reported
                pytest.fail(f"{name} ({state}).{attr} raised {exc!r}")


def test_introspection_works(fitted):
    name, fitted_object = fitted
    for state, obj in _objects(name, fitted_object).items():
        names = dir(obj)
        assert "get_params" in names, state
        if hasattr(obj, "predict_proba"):
            assert "predict_proba" in names, state
        assert dict(inspect.getmembers(obj))["get_params"] == obj.get_params
        assert vars(obj) is obj.__dict__
        assert type(obj).__name__ in pydoc.render_doc(obj)  # what help() prints
        duplicate = copy.deepcopy(obj)
        assert duplicate.get_params().keys() == obj.get_params().keys()


def test_html_repr_says_fitted_or_not(fitted):
    name, fitted_object = fitted
    for state, obj in _objects(name, fitted_object).items():
        html = estimator_html_repr(obj)
        assert 'class="sk-top-container' in html
        statuses = set(re.findall(r"<span>(Fitted|Not fitted)</span>", html))
        # A stateless ImagePreprocessor needs no fit: always "Fitted".
        if state == "unfitted" and name != "ImagePreprocessor":
            assert "Not fitted" in statuses, state
        else:
            assert statuses == {"Fitted"}, state
