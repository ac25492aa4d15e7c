# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Drop TensorFlow's retracing warning where skfashion's own calls cause it.

Every fit builds a new Keras model, and Keras wraps each model's training and
prediction steps in new ``tf.function`` objects. TensorFlow counts tracings
by the Python code being traced, not by model, so from the fifth fit in a
process (the fifth fold of a search, say) it logs "N out of the last N calls
to ... triggered tf.function retracing" and suggests moving the function out
of a loop: advice for the author of the loop, which a user of
``GridSearchCV`` cannot act on. The tracing itself is expected, and costs
the same as in plain Keras.

:func:`expected_retracing` marks a block of skfashion code. A filter on the
``tensorflow`` logger drops that one message while the current thread (or
task) is inside such a block. The message is left alone everywhere else, and
every other TensorFlow message is left alone.
"""

import contextvars
import logging
from contextlib import contextmanager

from skfashion._keras import backend

__all__ = ["expected_retracing"]

_MESSAGE = "triggered tf.function retracing"

# A context variable, not a global flag: fits can overlap in the threads of
# one process (joblib's threading backend, a dask worker with several threads).
_inside = contextvars.ContextVar("skfashion_expected_retracing", default=False)


class _ExpectedRetracingFilter(logging.Filter):
    """Reject the retracing warning logged inside :func:`expected_retracing`."""

    def filter(self, record):
        return not (_inside.get() and _MESSAGE in record.getMessage())


_FILTER = _ExpectedRetracingFilter()


@contextmanager
def expected_retracing():
    """Drop TensorFlow's retracing warning within this block.

    The filter goes on the ``tensorflow`` logger on first use (``addFilter``
    adds it only once), and only with the TensorFlow backend; other backends
    log no such warning.
    """
    if not backend.is_tensorflow():
        yield
        return
    logging.getLogger("tensorflow").addFilter(_FILTER)
    token = _inside.set(True)
    try:
        yield
    finally:
        _inside.reset(token)
