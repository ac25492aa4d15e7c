# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Seeds of one fit, drawn from the estimator's ``random_state`` alone.

Like scikit-learn's estimators, a fit never draws from process-wide
generators: the validation split, the network's seed (every layer with
random weights, dropout or augmentation: ``skfashion._keras.seeds``) and each
epoch's order of the rows (``skfashion._keras.input``) are seeded from
``random_state``. Fits that overlap in threads of one process (joblib's
threading backend, a dask worker with several threads) then give the
networks that they give one at a time.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["fit_seeds"]

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
