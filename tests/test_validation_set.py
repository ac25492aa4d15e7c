"""fit(X, y, X_val=..., y_val=...): a validation set of the user's, as in
HistGradientBoostingClassifier, directly and through metadata routing."""

import keras
import numpy as np
import pytest
import sklearn
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor

SMALL = {
    ANNClassifier: {"hidden_layer_sizes": (16,)},
    CNNClassifier: {"filters": (4,), "hidden_layer_sizes": (8,), "augmentation": None},
}


def _small(cls, **params):
    return cls(epochs=3, batch_size=64, random_state=0, **SMALL[cls], **params)


@pytest.fixture(scope="module")
def raw_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return (X * 16).clip(0, 255).astype(np.uint8), y


@pytest.mark.parametrize("cls", [ANNClassifier, CNNClassifier])
def test_early_stopping_monitors_the_validation_set(cls, digits, monkeypatch):
    X, y, _ = digits
    seen = []
    fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.append(kwargs)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    est = _small(cls, early_stopping=True).fit(
        X[:600], y[:600], X_val=X[600:800], y_val=y[600:800]
    )
    # No split of X: the 600 rows train; the 200 validation rows validate.
    batches = list(seen[0]["validation_data"])
    assert sum(len(b[0]) for b in batches) == 200
    assert sum(len(b[0]) for b in seen[0]["x"]) == 600
    assert_array_equal(np.concatenate([b[0] for b in batches]), X[600:800])
    # validation_scores_ is the accuracy on X_val, epoch by epoch, and the
    # network kept is the best epoch's.
    monkeypatch.undo()
    assert len(est.validation_scores_) == est.n_iter_ == 3
    final = est.score(X[600:800], y[600:800])
    assert est.best_validation_score_ == pytest.approx(final, abs=1e-6)
    assert est.history_["val_accuracy"] == est.validation_scores_


def test_without_early_stopping_the_history_records_the_validation_set(digits):
    X, y, _ = digits
    est = _small(ANNClassifier).fit(X[:600], y[:600], X_val=X[600:], y_val=y[600:])
    assert {"val_loss", "val_accuracy"} <= set(est.history_)
    assert len(est.history_["val_loss"]) == est.n_iter_
    plain = _small(ANNClassifier).fit(X[:600], y[:600])
    assert "val_loss" not in plain.history_ and plain.validation_scores_ is None
    # Validating changes nothing in the training.
    assert_array_equal(est.predict_proba(X[600:]), plain.predict_proba(X[600:]))


def test_sample_weight_val_weights_the_validation_loss(digits):
    X, y, _ = digits
    X_val, y_val = X[600:700], y[600:700]
    weights = np.where(y_val == 0, 5.0, 0.0)
    est = _small(ANNClassifier)
    a = est.fit(X[:600], y[:600], X_val=X_val, y_val=y_val).history_["val_loss"]
    b = est.fit(
        X[:600], y[:600], X_val=X_val, y_val=y_val, sample_weight_val=weights
    ).history_["val_loss"]
    assert a != b


BAD_VALIDATION_SETS = {
    "X_val alone": (lambda X, y: {"X_val": X}, "X_val is given without y_val"),
    "y_val alone": (lambda X, y: {"y_val": y}, "y_val is given without X_val"),
    "weights alone": (
        lambda X, y: {"sample_weight_val": np.ones(len(y))},
        "sample_weight_val is given without X_val",
    ),
    "too few features": (
        lambda X, y: {"X_val": X[:, :10], "y_val": y},
        "X_val has 10 features per sample",
    ),
    "too few labels": (
        lambda X, y: {"X_val": X, "y_val": y[:5]},
        "inconsistent numbers of samples",
    ),
    "unseen labels": (
        lambda X, y: {"X_val": X, "y_val": y + 100},
        r"y_val contains labels .*\[100",
    ),
    "images of another shape": (
        lambda X, y: {"X_val": X.reshape(len(X), 4, 16), "y_val": y},
        "X_val has images of shape",
    ),
}


@pytest.fixture(scope="module")
def fitted_cnn(digits):
    X, y, images = digits
    est = _small(CNNClassifier).fit(images[:300], y[:300])
    return est, est.predict_proba(X[:50])


@pytest.mark.parametrize("case", sorted(BAD_VALIDATION_SETS))
def test_bad_validation_sets_are_clear_errors_and_change_nothing(
    case, digits, fitted_cnn
):
    X, y, images = digits
    make, match = BAD_VALIDATION_SETS[case]
    est, before = fitted_cnn
    with pytest.raises(ValueError, match=match):
        est.fit(images[:300], y[:300], **make(X[600:620], y[600:620]))
    assert_array_equal(est.predict_proba(X[:50]), before)


def test_fit_validation_data_points_to_x_val():
    with pytest.raises(ValueError, match="X_val and y_val arguments of fit"):
        ANNClassifier(fit__validation_data=None).fit(np.zeros((4, 4)), [0, 1, 0, 1])


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_a_pipeline_transforms_x_val_with_the_earlier_steps(raw_digits, routing):
    X, y = raw_digits
    clf = _small(ANNClassifier, early_stopping=True).set_fit_request(
        X_val=True, y_val=True
    )
    pipe = Pipeline(
        [("scale", ImagePreprocessor()), ("ann", clf)], transform_input=["X_val"]
    )
    pipe.fit(X[:600], y[:600], X_val=X[600:800], y_val=y[600:800])
    ann = pipe.named_steps["ann"]
    # The validation accuracy is that of the scaled validation images.
    assert ann.best_validation_score_ == pytest.approx(
        pipe.score(X[600:800], y[600:800]), abs=1e-6
    )
    # Without transform_input the network would validate on raw pixels.
    raw = Pipeline([("scale", ImagePreprocessor()), ("ann", clone_of(clf))])
    raw.fit(X[:600], y[:600], X_val=X[600:800], y_val=y[600:800])
    assert raw.named_steps["ann"].validation_scores_ != ann.validation_scores_


def clone_of(est):
    return sklearn.base.clone(est)


def test_a_search_gives_every_candidate_the_same_validation_set(raw_digits, routing):
    X, y = raw_digits
    X_val, y_val = X[900:1000], y[900:1000]
    clf = _small(ANNClassifier, early_stopping=True).set_fit_request(
        X_val=True, y_val=True
    )
    pipe = Pipeline(
        [("scale", ImagePreprocessor()), ("ann", clf)], transform_input=["X_val"]
    )
    search = GridSearchCV(
        pipe, {"ann__hidden_layer_sizes": [(8,), (16,)]}, cv=2, refit=True
    )
    seen = []
    fit = ANNClassifier.fit

    def spy(self, X, y, sample_weight=None, **kwargs):
        seen.append(kwargs)
        return fit(self, X, y, sample_weight, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ANNClassifier, "fit", spy)
        search.fit(X[:600], y[:600], X_val=X_val, y_val=y_val)
    assert len(seen) == 2 * 2 + 1  # candidates x folds, and the refit
    expected = ImagePreprocessor().fit_transform(X_val)
    for kwargs in seen:
        assert_array_equal(kwargs["X_val"], expected)
        assert_array_equal(kwargs["y_val"], y_val)
    best = search.best_estimator_.named_steps["ann"]
    assert len(best.validation_scores_) == best.n_iter_
