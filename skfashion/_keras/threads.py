# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Size the Keras backend's CPU thread pools like scikit-learn's other libraries.

joblib's worker processes (``GridSearchCV(n_jobs=2)``, ``cross_validate``...)
get ``OMP_NUM_THREADS=cpu_count // n_jobs``, as do dask workers (1 by
default), so that NumPy's BLAS and OpenMP code do not oversubscribe the
cores. TensorFlow ignores that variable and starts one thread per core in every
worker. :func:`follow_omp_num_threads` passes the value on to TensorFlow, once
per process, before its runtime starts. PyTorch reads ``OMP_NUM_THREADS``
itself; JAX fixes its pool size when it is imported, so neither needs this.
"""

import os

__all__ = ["follow_omp_num_threads"]

_done = False


def follow_omp_num_threads():
    """Limit TensorFlow's thread pools to ``OMP_NUM_THREADS``, when it is set.

    Does nothing when ``OMP_NUM_THREADS`` is unset or not a positive integer,
    when the backend is not TensorFlow, when ``TF_NUM_INTRAOP_THREADS`` or
    ``TF_NUM_INTEROP_THREADS`` say otherwise, when the pools were sized
    already, or once TensorFlow's runtime has started (it cannot be resized
    then).

    Returns
    -------
    n_threads : int or None
        The number of threads set, or None when nothing was changed.
    """
    global _done
    if _done:
        return None
    _done = True
    try:
        n_threads = int(os.environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return None
    if n_threads < 1:
        return None
    if "TF_NUM_INTRAOP_THREADS" in os.environ or "TF_NUM_INTEROP_THREADS" in os.environ:
        return None
    from skfashion._keras import backend

    if not backend.is_tensorflow():
        return None
    import tensorflow as tf

    threading = tf.config.threading
    if threading.get_intra_op_parallelism_threads() or (
        threading.get_inter_op_parallelism_threads()
    ):
        return None  # sized by the user
    try:
        threading.set_intra_op_parallelism_threads(n_threads)
        threading.set_inter_op_parallelism_threads(n_threads)
    except RuntimeError:
        return None  # the runtime has started: too late, leave it
    return n_threads
