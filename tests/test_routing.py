"""Parameter names and routed Keras settings: one table, checked everywhere."""

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skfashion import ANNClassifier, CNNClassifier
from skfashion._routing import ROUTES

FAST = dict(hidden_layer_sizes=(8,), epochs=1, random_state=0)

COLLISIONS = [
    ("fit__batch_size", 7, "the batch_size parameter"),
    ("fit__epochs", 3, "the epochs parameter"),
    ("fit__verbose", 1, "the verbose parameter"),
    ("fit__sample_weight", None, "the sample_weight argument of fit"),
    ("fit__class_weight", None, "the class_weight parameter"),
    ("fit__callbacks", [], "the callbacks parameter"),
    ("fit__validation_split", 0.2, "early_stopping=True with validation_fraction"),
    ("fit__validation_data", None, "the X_val and y_val arguments of fit"),
    ("fit__initial_epoch", 2, "warm_start=True or partial_fit"),
    ("compile__optimizer", "sgd", "the optimizer parameter"),
    ("compile__loss", "mse", "cross-entropy"),
    ("optimizer__learning_rate", 0.1, "the learning_rate_init parameter"),
    ("predict__verbose", 1, "without a progress bar"),
    ("callbacks__patience", 3, "in the callbacks parameter"),
    ("fit__shufle", False, "Did you mean 'fit__shuffle'"),
    ("hiden_layer_sizes", (8,), "Did you mean 'hidden_layer_sizes'"),
    ("model__units", 8, "builds its network from its own parameters"),
]


@pytest.mark.parametrize("name, value, match", COLLISIONS)
def test_constructor_and_set_params_reject_alike(name, value, match, digits):
    X, y, _ = digits
    est = ANNClassifier(**FAST, **{name: value})
    with pytest.raises(ValueError, match=match) as at_fit:
        est.fit(X[:50], y[:50])
    assert not hasattr(est, "model_")
    with pytest.raises(ValueError, match=match) as at_set:
        ANNClassifier(**FAST).set_params(**{name: value})
    assert str(at_set.value) == str(at_fit.value)


def test_messages_say_what_was_passed_and_what_to_do():
    """A refused key says why, not that it "collides with nothing"; the
    unknown-name message offers only prefixes that take keys."""
    with pytest.raises(ValueError) as refused:
        ANNClassifier().set_params(predict__verbose=1)
    assert str(refused.value) == (
        "predict__verbose is not accepted: predictions run without a progress "
        "bar; leave it out."
    )
    with pytest.raises(ValueError) as unknown:
        ANNClassifier().set_params(modle__units=8)
    assert "callbacks__" not in str(unknown.value)
    assert "model__" not in str(unknown.value)  # ANNClassifier has no builder
    assert "fit__, predict__, compile__, optimizer__" in str(unknown.value)


def test_set_params_leaves_the_estimator_alone_when_it_raises():
    est = ANNClassifier(epochs=3)
    with pytest.raises(ValueError, match="Did you mean 'epochs'"):
        est.set_params(epochs=4, epoch=5)
    assert est.epochs == 3 and "epoch" not in est.get_params()


def test_every_route_has_a_rule():
    # A prefix passes on a listed set of keys (or all keys but the taken
    # ones); every taken key says what to use instead.
    assert set(ROUTES) == {"fit__", "predict__", "compile__", "optimizer__",
                           "model__", "callbacks__"}  # fmt: skip
    for route in ROUTES.values():
        assert all(isinstance(use, str) and use for use in route.taken.values())
        if route.honoured is not None:
            assert not set(route.honoured) & set(route.taken)


def test_search_grid_with_a_misspelt_key_fails_with_the_hint(digits):
    X, y, _ = digits
    search = GridSearchCV(ANNClassifier(**FAST), {"hiden_layer_sizes": [(4,)]}, cv=2)
    with pytest.raises(ValueError, match="Did you mean 'hidden_layer_sizes'"):
        search.fit(X[:60], y[:60])


def test_honoured_settings_reach_keras(digits, monkeypatch):
    X, y, _ = digits
    seen = {}
    real_fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.update(kwargs, run_eagerly=self.run_eagerly)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    est = ANNClassifier(
        **FAST,
        fit__shuffle=False,
        fit__validation_freq=1,
        compile__run_eagerly=True,
        compile__steps_per_execution=2,
        optimizer="sgd",
        optimizer__momentum=0.5,
    ).fit(X[:100], y[:100])
    assert seen["shuffle"] is False and seen["validation_freq"] == 1
    assert seen["run_eagerly"] is True
    assert est.model_.steps_per_execution == 2
    assert est.model_.optimizer.momentum == 0.5


def test_routed_settings_survive_set_params_and_clone():
    est = CNNClassifier().set_params(fit__shuffle=False, predict__batch_size=64)
    params = est.get_params()
    assert params["fit__shuffle"] is False and params["predict__batch_size"] == 64
    assert clone(est).get_params() == params


def test_unknown_optimizer_setting_fails_before_training(digits):
    X, y, _ = digits
    est = ANNClassifier(**FAST, optimizer__nonsense=1)
    with pytest.raises(ValueError, match="rejected the optimizer__ settings"):
        est.fit(X[:50], y[:50])
    assert not hasattr(est, "model_")


def test_initialize_builds_an_untrained_network(digits):
    X, y, _ = digits
    est = ANNClassifier(**FAST).initialize(X, y)
    assert est.n_iter_ == 0 and est.loss_curve_ == [] and est.best_loss_ is None
    assert est.predict_proba(X[:3]).shape == (3, 10)
    est.partial_fit(X, y)
    assert est.n_iter_ == 1
    np.testing.assert_array_equal(est.classes_, np.arange(10))


def test_estimators_page_routing_table_lists_every_key():
    """The estimators page's table says what the routing table does, key by key."""
    import re
    from pathlib import Path

    from skfashion._routing import ROUTES

    text = (Path(__file__).parent.parent / "docs" / "estimators.rst").read_text()
    lines = text.splitlines()
    borders = [i for i, line in enumerate(lines) if line.startswith("=" * 16 + "  =")]
    rows, prefix = {}, None
    for line in lines[borders[1] + 1 : borders[2]]:  # the body of the table
        found = re.findall(r"``(\w+)``", line[:18])
        if found:
            prefix = found[0]
            rows[prefix] = ["", ""]
        rows[prefix][0] += line[18:54] + " "
        rows[prefix][1] += line[54:] + " "

    def names(text):
        # "nothing: ..." passes nothing; what to use instead is in parentheses.
        if text.startswith("nothing"):
            return set()
        return set(re.findall(r"``(\w+)``", re.sub(r"\(.*?\)", "", text)))

    rows = {key: (names(a), names(b)) for key, (a, b) in rows.items()}
    assert set(rows) == set(ROUTES)
    for prefix, route in ROUTES.items():
        passed, rejected = rows[prefix]
        if route.honoured is not None:  # None: any key (optimizer__, model__)
            assert passed == set(route.honoured), prefix
        if prefix != "callbacks__":  # "every key"
            assert rejected == set(route.taken) | set(route.refused), prefix
