"""scikit-learn's estimator checks on every public estimator."""

import numpy as np
import pytest
from _networks import SmallNetwork
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImageClassifier,
    ImagePreprocessor,
)

# Default parameters, as users run check_estimator. The checks' tiny tabular
# datasets (1 to 30 features) are read by the CNN as square images where the
# count is a square, else as one-pixel-high images (with a warning).
ESTIMATORS = [
    ImagePreprocessor(),
    ANNClassifier(),
    CNNClassifier(),
    # A network of the user's, at the classifier's defaults.
    ImageClassifier(SmallNetwork()),
    # A transformer needs the network it reads, which has no default; a seeded
    # one, so that the checks comparing two fits apply.
    EmbeddingTransformer(
        ANNClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    ),
]

# The same three, for the same reasons, for the three classifiers.
CLASSIFIER_XFAILS = {
    "check_mixin_order": (
        "scikeras' KerasClassifier lists ClassifierMixin after BaseEstimator; a "
        "consistent MRO cannot move it, so __sklearn_tags__ sets the classifier "
        "tags explicitly (is_classifier() is True, see test_estimators.py)."
    ),
    "check_estimator_tags_renamed": (
        "scikeras' BaseWrapper still defines the pre-1.6 _more_tags; our "
        "__sklearn_tags__ overrides it and scikit-learn 1.9 never calls it."
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch gradient descent: a weight of 2 is not the same as a repeated "
        "row (different batches and number of steps), as for MLPClassifier."
    ),
}


def expected_failed_checks(estimator):
    if isinstance(estimator, (ANNClassifier, CNNClassifier, ImageClassifier)):
        return CLASSIFIER_XFAILS
    return {}


def check_sample_order_invariance_float32(name, estimator_orig):
    """scikit-learn's check_methods_sample_order_invariance at float32's
    precision, on seeded permutations.

    scikit-learn's check asks for agreement to 1e-7 (relative), a float64
    tolerance, on an unseeded permutation. The networks compute in float32,
    and TensorFlow's float32 matrix products can differ in the last bit with
    a row's place in the batch (seen on the AVX2-only AMD EPYC: 2 of 160
    embedding values, 1.7e-7 apart), so that check fails at random there.
    This one asks the same question: does a row's output depend on the other
    rows or on their order?
    """
    rng = np.random.RandomState(0)
    X = 3 * rng.uniform(size=(20, 3))
    y = X[:, 0].astype(np.int64)
    estimator = clone(estimator_orig)
    estimator.set_params(
        **{k: 1 for k in estimator.get_params() if k.endswith("random_state")}
    )
    estimator.fit(X, y)
    for seed in range(5):
        idx = np.random.RandomState(seed).permutation(len(X))
        for method in ("predict", "transform", "predict_proba"):
            if hasattr(estimator, method):
                assert_allclose(
                    getattr(estimator, method)(X)[idx],
                    getattr(estimator, method)(X[idx]),
                    rtol=1e-5,
                    atol=1e-6,
                    err_msg=f"{method} of {name} depends on the rows' order.",
                )


# scikit-learn's checks that this suite runs in its own version (above).
REPLACED_CHECKS = {
    "check_methods_sample_order_invariance": check_sample_order_invariance_float32
}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    replacement = REPLACED_CHECKS.get(check.func.__name__)
    if replacement is None:
        check(estimator)
    else:
        replacement(type(estimator).__name__, estimator)


@pytest.mark.parametrize(
    "estimator",
    [ANNClassifier(), CNNClassifier()],
    ids=["ANNClassifier", "CNNClassifier"],
)
def test_classifier_outputs_do_not_depend_on_row_order(estimator):
    # scikit-learn skips its order check for estimators tagged
    # non_deterministic, as these are; seeded, the question still applies.
    check_sample_order_invariance_float32(type(estimator).__name__, estimator)
