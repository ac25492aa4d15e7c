# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of one fit, drawn from the estimator's ``random_state`` alone.

Like scikit-learn's estimators, a fit never draws from process-wide
generators: the validation split, every layer with random weights, dropout
or augmentation (through a :class:`SeedStream`) and each epoch's order of
the rows (``skfashion._input``) are seeded from ``random_state``. Fits that
overlap in threads of one process (joblib's threading backend, a dask worker
with several threads) then give the networks that they give one at a time.
Unseeded, Keras would draw layer seeds from Python's global ``random``
module, which other threads of the process also draw from.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["SeedStream", "fit_seeds"]

_INT32_MAX = np.iinfo(np.int32).max


def fit_seeds(random_state):
    """``(split seed, network seed, shuffle seed)`` of one fit.

    With ``random_state=None`` the split and network seeds are None (Keras
    then seeds the layers itself), and the shuffle seed is drawn from
    NumPy's global generator, as scikit-learn does for ``None``.
    """
    rng = check_random_state(random_state)
    split, network, shuffle = (int(s) for s in rng.randint(_INT32_MAX, size=3))
    if random_state is None:
        return None, None, shuffle
    return split, network, shuffle


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
