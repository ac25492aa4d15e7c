# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The builders of the two preset networks.

``ANNClassifier`` and ``CNNClassifier`` hand one of these builders to
:func:`skfashion._keras.builder.build_network` with explicit arguments,
exactly as a user's ``model=`` builder is handed over: each takes scikeras'
``meta`` and returns an uncompiled network, flat input to softmax output.
"""

import keras

from skfashion._keras.network import LayerFactory

__all__ = ["conv_network", "dense_network"]


def _factory(seed, dtype_policy, l2, activation):
    return LayerFactory(seed=seed, policy=dtype_policy, l2=l2, activation=activation)


def _network(meta, layers, rescale, body, name):
    """Flat input, ``rescale`` (if any), ``body``, then the softmax head."""
    inputs = keras.Input(shape=(meta["n_features_in_"],), name="pixels")
    x = inputs
    if rescale is not None:
        x = layers.rescaling(float(rescale), name="rescale")(x)
    outputs = layers.softmax(meta["n_classes_"])(body(x))
    return keras.Model(inputs, outputs, name=name)


def dense_network(meta, *, hidden_layer_sizes, activation, dropout, rescale, l2,
                  seed, dtype_policy, name="ANNClassifier"):  # fmt: skip
    """``Dense(hidden_layer_sizes[0]) -> [Dropout] -> ... -> softmax``.

    Parameters
    ----------
    meta : dict
        scikeras' metadata of the fit (``n_features_in_``, ``n_classes_``).
    hidden_layer_sizes : tuple of int
        Units of each hidden layer.
    activation : str
        Keras activation of the hidden layers.
    dropout : float
        Dropout rate after each hidden layer (0 for none).
    rescale : float or None
        Factor applied to the input first.
    l2 : float
        Keras L2 factor of every kernel.
    seed : int or None
        Seed of every layer.
    dtype_policy : keras.DTypePolicy
        Policy of the hidden layers.
    name : str, default="ANNClassifier"
        The model's name.

    Returns
    -------
    network : keras.Model
    """
    layers = _factory(seed, dtype_policy, l2, activation)
    return _network(
        meta, layers, rescale,
        lambda x: layers.dense_head(x, hidden_layer_sizes, dropout), name,
    )  # fmt: skip


def conv_network(meta, *, blocks, pool_sizes, kernel_size, padding,
                 batch_normalization, augmentation, dropout, hidden_layer_sizes,
                 activation, rescale, l2, seed, dtype_policy,
                 name="CNNClassifier"):  # fmt: skip
    """Convolution blocks, each pooled, then dense layers and the softmax.

    Parameters
    ----------
    meta : dict
        scikeras' metadata of the fit (``n_features_in_``, ``n_classes_``,
        and skfashion's ``image_shape_``).
    blocks : list of tuple of int
        The filters of each block's convolutions.
    pool_sizes : list of tuple of int
        Each block's pooling window.
    kernel_size : int
        Side of the convolution kernels.
    padding : {"same", "valid"}
        Padding of the convolutions.
    batch_normalization : bool
        Whether each convolution is followed by batch normalization (and
        then the activation).
    augmentation : str, list or None
        Training-time augmentation (``skfashion._keras.augmentation``).
    dropout : float
        Dropout rate after each block and each hidden dense layer.
    hidden_layer_sizes : tuple of int
        Units of the dense layers after the blocks.
    activation, rescale, l2, seed, dtype_policy, name
        As in :func:`dense_network`.

    Returns
    -------
    network : keras.Model
    """
    layers = _factory(seed, dtype_policy, l2, activation)
    bn = batch_normalization

    def body(inputs):
        x = layers.reshape(meta["image_shape_"], name="image")(inputs)
        for layer in layers.augmentation(augmentation):
            x = layer(x)  # acts only while training
        for i, (block, pool) in enumerate(zip(blocks, pool_sizes)):
            for j, n_filters in enumerate(block):
                # The first convolution of block i keeps the name conv_i.
                conv = f"conv_{i}" if j == 0 else f"conv_{i}_{j}"
                x = layers.conv2d(
                    n_filters, kernel_size, padding=padding, name=conv,
                    activation=not bn,
                )(x)  # fmt: skip
                if bn:
                    x = layers.batch_norm(name=conv.replace("conv", "batch_norm"))(x)
                    x = layers.activate(name=f"{conv}_act")(x)
            x = layers.pool(pool, name=f"pool_{i}")(x)
            if dropout:
                x = layers.dropout(dropout, name=f"conv_dropout_{i}")(x)
        x = layers.flatten(name="flatten")(x)
        return layers.dense_head(x, hidden_layer_sizes, dropout)

    return _network(meta, layers, rescale, body, name)
