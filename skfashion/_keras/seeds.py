# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The seeds of one network's layers, drawn from one integer.

Unseeded, a Keras layer draws its initializers' and dropout's seeds from
Python's global ``random`` module when it is made, and other threads of the
process draw from it too. skfashion's own networks seed every layer from a
:class:`SeedStream`; a network that a user's builder makes is built inside
:func:`seeded_build`, which gives the builder's unseeded layers seeds drawn
from the network's seed, one build at a time.
"""

import contextlib
import random
import threading

import numpy as np

__all__ = ["SeedStream", "seeded_build"]

_INT32_MAX = np.iinfo(np.int32).max
_BUILD_LOCK = threading.Lock()


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


@contextlib.contextmanager
def seeded_build(seed):
    """Build a network whose unseeded layers draw their seeds from ``seed``.

    Holds a lock, so that builds in other threads do not draw in between,
    seeds Python's ``random`` module (where Keras draws a layer's default
    seed) and restores its state on exit. ``seed=None`` changes nothing.

    Parameters
    ----------
    seed : int or None
        The network's seed.
    """
    if seed is None:
        yield
        return
    with _BUILD_LOCK:
        state = random.getstate()
        random.seed(seed)
        try:
            yield
        finally:
            random.setstate(state)
