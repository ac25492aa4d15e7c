"""TensorFlow's retracing warning is dropped in skfashion's calls, and only there."""

import logging
import os
import subprocess
import sys
import threading

import keras
import pytest

from skfashion._keras.retracing import expected_retracing

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="a TensorFlow warning"
)

RETRACING = (
    "5 out of the last 5 calls to <function f at 0x0> triggered tf.function "
    "retracing. Tracing is expensive..."
)

# A fresh process: TensorFlow warns at most twice per traced function and
# process, so earlier tests in this process may have used the warnings up.
SCRIPT = """
import numpy as np
import tensorflow as tf
from sklearn.model_selection import GridSearchCV
from skfashion import ANNClassifier

rng = np.random.default_rng(0)
X = rng.random((90, 16), dtype=np.float32)
y = np.arange(90) % 3
# 2 candidates x 3 folds and the refit: 7 fits, 13 predict calls, and the
# early-stopping candidate evaluates on its validation split every epoch.
search = GridSearchCV(
    ANNClassifier(hidden_layer_sizes=(4,), epochs=2, validation_fraction=0.3),
    {"early_stopping": [False, True]}, cv=3,
).fit(X, y)
search.predict(X)
print("SEARCH DONE", flush=True)
for i in range(6):  # the same warning outside skfashion: still logged
    tf.function(lambda x: x + 1)(tf.constant(i))
"""


def test_search_logs_no_retracing_warning_but_other_code_still_does():
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stderr[-3000:]}"
    assert "SEARCH DONE" in proc.stdout
    # Python's logging writes to stderr, after the search's output and before
    # the loop's: only the loop's tf.function may be named.
    warnings = [
        line for line in proc.stderr.splitlines() if "triggered tf.function" in line
    ]
    assert warnings, f"the control loop logged no warning:\n{proc.stderr[-3000:]}"
    assert all("<lambda>" in line for line in warnings), warnings


def test_filter_drops_only_the_retracing_warning_inside_the_block(caplog):
    logger = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        with expected_retracing():
            logger.warning(RETRACING)
            logger.warning("another TensorFlow warning")
        logger.warning(RETRACING)
    assert [r.getMessage() for r in caplog.records] == [
        "another TensorFlow warning",
        RETRACING,
    ]


def test_filter_is_per_thread(caplog):
    """Another thread inside the block does not silence this one."""
    inside, logged = threading.Event(), threading.Event()

    def hold_block():
        with expected_retracing():
            inside.set()
            logged.wait(timeout=30)

    thread = threading.Thread(target=hold_block)
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        thread.start()
        assert inside.wait(timeout=30)
        logging.getLogger("tensorflow").warning(RETRACING)
        logged.set()
        thread.join()
    assert [r.getMessage() for r in caplog.records] == [RETRACING]
