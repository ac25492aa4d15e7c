# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The Keras side of skfashion.

The estimators (the package root: ``_base``, ``_ann``, ``_cnn``,
``_classifier``, routing, targets, images) speak scikit-learn and hand this
subpackage explicit arguments; nothing here imports them.

- ``builder``: a network from a builder or a model, with its head, compiled;
- ``presets``: the builders of ``ANNClassifier`` and ``CNNClassifier``;
- ``network``: the layer table, the layer factory, optimizers, dtype policies;
- ``augmentation``, ``losses``, ``callbacks``: what a fit trains with;
- ``input``: the batches a fit reads from X, in a seeded order;
- ``training``: the training loop and the forward pass;
- ``persistence``: a network to bytes and back, in Keras' safe mode;
- ``seeds``, ``backend``, ``threads``, ``retracing``: the process around it.
"""
