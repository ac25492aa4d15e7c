# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Seeding: a seed stream for layers, and thread-safe global seeding for Keras.

Every layer with random weights or dropout takes an explicit seed from a
:class:`SeedStream`. Unseeded, Keras draws layer seeds from Python's global
``random`` module, which other threads of the process (a dask worker's event
loop, a notebook's) also draw from, so the same ``random_state`` could give
different networks. Keras' shuffling still draws from the global generators,
which :data:`keras_seed` sets for the length of a fit.
"""

import random
import threading
from contextlib import contextmanager

import keras
import numpy as np
from sklearn.utils import check_random_state

__all__ = ["SeedStream", "fit_seeds", "keras_seed"]

_INT32_MAX = np.iinfo(np.int32).max


def fit_seeds(random_state):
    """``(split seed, network seed)`` of one fit, or ``(None, None)``."""
    if random_state is None:
        return None, None
    rng = check_random_state(random_state)
    split, network = rng.randint(_INT32_MAX, size=2)
    return int(split), int(network)


class SeedStream:
    """Seeds for the layers of one network, drawn from one integer seed.

    Parameters
    ----------
    seed : int or None
        None gives None for every layer (Keras then seeds them itself).
    """

    def __init__(self, seed):
        self._rng = None if seed is None else np.random.RandomState(seed)

    def __call__(self):
        """The next layer's seed, or None."""
        if self._rng is None:
            return None
        return int(self._rng.randint(1, _INT32_MAX))


def _backend_seed():
    """TensorFlow's global seed, where TensorFlow is the backend, else None."""
    if keras.backend.backend() != "tensorflow":
        return None
    from tensorflow.python.eager import context

    return context.global_seed()


def _set_backend_seed(seed):
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.random.set_seed(seed)


class _GlobalSeeds:
    """Seeds Keras for seeded fits, and puts the global random state back.

    ``keras.utils.set_random_seed`` seeds Python's, NumPy's and the backend's
    global generators, which Keras' shuffling draws from. Those are
    process-wide, and seeded fits can overlap in threads of one process
    (joblib's threading backend, a dask worker with several threads). The
    first fit to start saves the global state and the last one to finish
    restores it, so overlapping fits cannot leave one another's seeds behind.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._active = 0
        self._saved = None

    @contextmanager
    def __call__(self, seed):
        if seed is None:
            yield
            return
        with self._lock:
            if self._active == 0:
                self._saved = (
                    random.getstate(),
                    np.random.get_state(),
                    _backend_seed(),
                )
            self._active += 1
            keras.utils.set_random_seed(int(seed))
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    py_state, np_state, backend_seed = self._saved
                    random.setstate(py_state)
                    np.random.set_state(np_state)
                    _set_backend_seed(backend_seed)
                    self._saved = None


keras_seed = _GlobalSeeds()
