# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""EmbeddingTransformer: a classifier's last hidden layer as features."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
    clone,
)
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_is_fitted, validate_data

from skfashion._image import flatten_images
from skfashion._keras.builder import embedding_model, embedding_units
from skfashion._keras.retracing import expected_retracing
from skfashion._keras.training import forward
from skfashion._unwrap import unwrap

__all__ = ["EmbeddingTransformer", "final_classifier", "last_hidden_layer"]


def final_classifier(estimator):
    """``(preprocessing, classifier)`` of a skfashion classifier, a Pipeline
    ending in one, or either wrapped in a FrozenEstimator.

    ``preprocessing`` is the pipeline without its last step, or None.
    """
    from skfashion._base import BaseImageClassifier

    steps, estimator = unwrap(estimator)
    if not isinstance(estimator, BaseImageClassifier):
        raise TypeError(
            "Embeddings are the last hidden layer of a skfashion classifier "
            "(ANNClassifier, CNNClassifier, ImageClassifier) or of a Pipeline "
            "ending in one; got "
            f"{type(estimator).__name__}."
        )
    return steps, estimator


def last_hidden_layer(estimator, X, layer=None):
    """The last hidden layer's activations of ``X`` in a fitted ``estimator``
    (or the flattened output of the layer named ``layer``).

    ``estimator`` is what :func:`final_classifier` takes; a Pipeline's
    earlier steps transform ``X`` first.

    Returns
    -------
    X_embedded : ndarray of shape (n_samples, n_units), float32
    """
    steps, classifier = final_classifier(estimator)
    check_is_fitted(classifier)
    if steps is not None:
        X = steps.transform(X)
    X = classifier._check_X(X)
    probe = embedding_model(classifier.model_, layer)
    with expected_retracing():
        out = forward(probe, X, classifier._forward_batch_size())
    return np.asarray(out, dtype=np.float32)


class EmbeddingTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                           BaseEstimator):  # fmt: skip
    """Activations of the last hidden layer of a skfashion classifier.

    ``fit`` trains a clone of ``estimator``; ``transform`` returns, for each
    sample, the output of the network's last hidden layer (the input of its
    softmax head), or of the layer named ``layer``, which can feed another
    estimator: a
    :class:`~sklearn.linear_model.LogisticRegression` or a
    :class:`~sklearn.neighbors.KNeighborsClassifier` on CNN features, say.
    An estimator already fitted and wrapped in
    :class:`~sklearn.frozen.FrozenEstimator` is used as it is, without
    training.

    Parameters
    ----------
    estimator : ANNClassifier, CNNClassifier, ImageClassifier or Pipeline \
ending in one
        The network; optionally wrapped in ``FrozenEstimator``.

    layer : str, default=None
        The name of the network's layer whose output (flattened) is the
        embedding. None takes the input of the network's head: of its last
        Dense layer, past any activation layers after it.

    Attributes
    ----------
    estimator_ : estimator
        The fitted estimator (``estimator`` itself when it is frozen).

    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :meth:`fit`, when X was a DataFrame.

    See Also
    --------
    skfashion.reporting.EmbeddingDisplay : The embeddings projected to 2-D.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import ANNClassifier, EmbeddingTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> ann = ANNClassifier(hidden_layer_sizes=(32,), epochs=5, random_state=0)
    >>> model = make_pipeline(EmbeddingTransformer(ann), LogisticRegression())
    >>> model.fit(X / 16, y).score(X / 16, y) > 0.8
    True
    >>> model[0].get_feature_names_out()[:3]
    array(['embeddingtransformer0', 'embeddingtransformer1',
           'embeddingtransformer2'], dtype=object)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "layer": [str, None],
    }

    def __init__(self, estimator, *, layer=None):
        self.estimator = estimator
        self.layer = layer

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit a clone of ``estimator`` (a frozen one is kept as it is).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Training images, as the estimator takes them.

        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        final_classifier(self.estimator)  # a clear error before training
        flat, _ = flatten_images(X)
        scratch = clone(self)  # validate_data records on the clone
        validate_data(scratch, flat, y, dtype=None, accept_sparse=False)
        estimator = clone(self.estimator).fit(X, y)
        classifier = final_classifier(estimator)[1]
        check_is_fitted(classifier)
        embedding_units(classifier.model_, self.layer)  # the layer exists
        self.estimator_ = estimator
        self.n_features_in_ = scratch.n_features_in_
        if hasattr(scratch, "feature_names_in_"):
            self.feature_names_in_ = scratch.feature_names_in_
        else:
            self.__dict__.pop("feature_names_in_", None)
        return self

    def transform(self, X):
        """Last hidden layer activations of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Images, as the estimator takes them.

        Returns
        -------
        X_embedded : ndarray of shape (n_samples, n_units)
            One column per unit of the last hidden layer.
        """
        check_is_fitted(self)
        flat, _ = flatten_images(X)
        validate_data(self, flat, reset=False, dtype=None, accept_sparse=False)
        return last_hidden_layer(self.estimator_, X, self.layer)

    @property
    def _n_features_out(self):
        return embedding_units(final_classifier(self.estimator_)[1].model_, self.layer)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        tags.input_tags.three_d_array = True
        # The network's float32, whatever the input's dtype.
        tags.transformer_tags.preserves_dtype = []
        tags.non_deterministic = get_tags(self.estimator).non_deterministic
        return tags
