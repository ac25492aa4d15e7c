"""MLflow 3 logs and loads fitted skfashion models in its default format
(skops), on a local SQLite tracking store, as its documentation does it."""

import mlflow
import numpy as np
import pytest
from _networks import small_network
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline

from skfashion import ImageClassifier, ImagePreprocessor
from skfashion.io import skops_trusted_types


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.create_experiment(
        "skfashion", artifact_location=(tmp_path / "artifacts").as_uri()
    )
    yield experiment
    mlflow.set_tracking_uri(None)


def test_log_and_load_a_fitted_pipeline(digits, tracking):
    """A pipeline of a network of the user's (the presets save through the
    same code: BaseImageClassifier's __getstate__), its builder trusted."""
    import mlflow.pyfunc
    import mlflow.sklearn

    X, y, _ = digits
    raw = (X * 255).round().astype(np.uint8)
    pipe = make_pipeline(
        ImagePreprocessor(),
        ImageClassifier(small_network, model__units=16, epochs=2, random_state=0),
    ).fit(raw[:500], y[:500])
    trusted = [*skops_trusted_types(), "_networks.small_network"]
    with mlflow.start_run(experiment_id=tracking):
        info = mlflow.sklearn.log_model(pipe, name="model", skops_trusted_types=trusted)
    flavor = mlflow.models.get_model_info(info.model_uri).flavors["sklearn"]
    assert flavor["serialization_format"] == "skops"

    loaded = mlflow.sklearn.load_model(info.model_uri)
    assert loaded[-1].model is small_network
    assert_array_equal(loaded.predict_proba(raw), pipe.predict_proba(raw))
    served = mlflow.pyfunc.load_model(info.model_uri)
    assert_array_equal(served.predict(raw), pipe.predict(raw))
