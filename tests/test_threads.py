"""TensorFlow's thread pools follow OMP_NUM_THREADS (as set by joblib's workers)."""

import json
import os
import subprocess
import sys

import keras
import pytest

SCRIPT = """
import json
import numpy as np
import tensorflow as tf
from skfashion import ANNClassifier
X = np.random.default_rng(0).random((40, 4), dtype=np.float32)
ANNClassifier(hidden_layer_sizes=(4,), epochs=1).fit(X, [0, 1] * 20)
threading = tf.config.threading
print(json.dumps([threading.get_intra_op_parallelism_threads(),
                  threading.get_inter_op_parallelism_threads()]))
"""

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="sizes TensorFlow's pools only"
)


def _pools(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS")
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # The child's error, not only its exit status, in the failure report.
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"OMP_NUM_THREADS": "1"}, [1, 1]),  # a joblib worker with n_jobs=2 of 2
        ({}, [0, 0]),  # unset: TensorFlow's own default (one per core)
        ({"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "2"}, [0, 0]),
        ({"OMP_NUM_THREADS": "many"}, [0, 0]),
    ],
)
def test_tensorflow_pools_follow_omp_num_threads(env, expected):
    assert _pools(**env) == expected
