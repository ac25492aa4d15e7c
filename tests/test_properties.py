"""Property tests: any input gives a result or a clear error, never a broken
estimator."""

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from skfashion import ANNClassifier, CNNClassifier

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
SMALL = dict(epochs=1, random_state=0)
FACTORIES = {
    "ANN": lambda: ANNClassifier(hidden_layer_sizes=(8,), **SMALL),
    "CNN": lambda: CNNClassifier(filters=(2,), hidden_layer_sizes=(4,), **SMALL),
}


@pytest.fixture(scope="module", params=sorted(FACTORIES))
def fitted(request, digits):
    X, y, _ = digits
    return FACTORIES[request.param]().fit(X[:300], y[:300])


@st.composite
def inputs(draw):
    """X of any dtype, shape and non-finite placement, and labels of a type."""
    n = draw(st.integers(0, 12))
    shape = draw(
        st.sampled_from([(n,), (n, 64), (n, 9), (n, 8, 8), (n, 2, 2, 2, 2, 4)])
    )
    dtype = draw(st.sampled_from(["float32", "float64", "int64", "uint8", "bool",
                                  "object", "complex"]))  # fmt: skip
    X = np.asarray(
        draw(
            st.lists(
                st.floats(0, 1),
                min_size=int(np.prod(shape)),
                max_size=int(np.prod(shape)),
            )
        ),  # fmt: skip
        dtype=np.float64,
    ).reshape(shape)
    non_finite = bool(X.size) and draw(st.booleans())
    if non_finite:
        flat = X.reshape(-1)
        flat[draw(st.integers(0, flat.size - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf])
        )
    string = dtype == "object" and bool(X.size) and draw(st.booleans())
    if string:
        X = X.astype(object)
        X.reshape(-1)[0] = "a string"
    elif dtype in ("int64", "uint8", "bool"):
        X = np.nan_to_num(X, posinf=1, neginf=0).astype(dtype)
        non_finite = False
    else:
        X = X.astype(dtype)
    kind = draw(st.sampled_from(["int", "str", "bool", "float", "continuous",
                                 "mixed"]))  # fmt: skip
    codes = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    y = {
        "int": lambda: codes,
        "str": lambda: np.array(["a", "b", "c"])[codes] if n else codes.astype(str),
        "bool": lambda: codes.astype(bool),
        "float": lambda: codes.astype(float),
        "continuous": lambda: codes + 0.5,
        "mixed": lambda: np.array(["a", 1] * n, dtype=object)[:n],
    }[kind]()
    # What a fit or a prediction must reject, whatever else holds.
    bad_X = non_finite or string or dtype == "complex"
    bad_y = kind in ("continuous", "mixed")
    return X, y, bad_X, bad_y


def _snapshot(est, X_ref):
    return (
        est.classes_.copy(),
        est.model_,
        est.n_iter_,
        [w.copy() for w in est.model_.get_weights()],
        est.predict_proba(X_ref),
    )


def _assert_unchanged(est, before, X_ref):
    classes, model, n_iter, weights, proba = before
    assert_array_equal(est.classes_, classes)
    assert est.model_ is model and est.n_iter_ == n_iter
    for a, b in zip(est.model_.get_weights(), weights, strict=True):
        assert_array_equal(a, b)
    assert_array_equal(est.predict_proba(X_ref), proba)


@SETTINGS
@given(data=inputs())
def test_predict_succeeds_or_raises_clearly(fitted, digits, data):
    X, _, bad_X, _ = data
    X_ref = digits[0][:5]
    before = _snapshot(fitted, X_ref)
    try:
        pred = fitted.predict(X)
    except (ValueError, TypeError):
        pass
    else:
        assert not bad_X, f"NaN, inf, complex or strings were accepted: {X!r}"
        assert pred.shape == (len(X),)
        assert set(pred) <= set(fitted.classes_)
    _assert_unchanged(fitted, before, X_ref)


@SETTINGS
@given(data=inputs(), warm=st.booleans())
def test_fit_succeeds_or_raises_and_leaves_the_fit(fitted, digits, data, warm):
    X, y, bad_X, bad_y = data
    X_ref = digits[0][:5]
    est = copy.deepcopy(fitted).set_params(warm_start=warm)
    before = _snapshot(est, X_ref)
    try:
        est.fit(X, y)
    except (ValueError, TypeError):
        _assert_unchanged(est, before, X_ref)
    else:
        assert not bad_X, f"NaN, inf, complex or strings were accepted: {X!r}"
        assert not bad_y, f"continuous or mixed labels were accepted: {y!r}"
        assert len(est.classes_) >= 2
        assert est.predict(X).shape == (len(X),)


def _bad_inputs(digits):
    """Valid shapes and dtypes, each with one thing every call must reject."""
    X = digits[0][:6].astype(np.float64)
    out = {}
    for value in (np.nan, np.inf, -np.inf):
        bad = X.copy()
        bad[2, 5] = value
        out[f"X holds {value}"] = bad
    out["X is complex"] = X.astype(complex)
    strings = X.astype(object)
    strings[0, 0] = "a string"
    out["X holds a string"] = strings
    return out


@pytest.mark.parametrize(
    "case",
    [
        "X holds nan",
        "X holds inf",
        "X holds -inf",
        "X is complex",
        "X holds a string",
    ],  # fmt: skip
)
def test_predict_and_fit_reject_bad_X(fitted, digits, case):
    X_bad = _bad_inputs(digits)[case]
    X_ref = digits[0][:5]
    before = _snapshot(fitted, X_ref)
    for call in (fitted.predict, fitted.predict_proba):
        with pytest.raises((ValueError, TypeError)):
            call(X_bad)
    est = copy.deepcopy(fitted)
    before_fit = _snapshot(est, X_ref)
    with pytest.raises((ValueError, TypeError)):
        est.fit(X_bad, digits[1][:6])
    _assert_unchanged(fitted, before, X_ref)
    _assert_unchanged(est, before_fit, X_ref)


@pytest.mark.parametrize(
    "y",
    [np.linspace(0, 1, 6), np.array(["a", 1, "b", 2, "a", 1], dtype=object)],
    ids=["continuous", "mixed"],
)
def test_fit_rejects_labels_that_are_not_classes(fitted, digits, y):
    est = copy.deepcopy(fitted)
    before = _snapshot(est, digits[0][:5])
    error = (
        (TypeError, "mixes labels of types int, str")
        if y.dtype == object
        else (ValueError, "Unknown label type: continuous")
    )
    with pytest.raises(error[0], match=error[1]):
        est.fit(digits[0][:6], y)
    _assert_unchanged(est, before, digits[0][:5])
