# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Training-time image augmentation: presets and the layers they stand for.

Augmentation runs inside the network, as Keras' random image layers, which
transform their input only while training: ``predict``, ``predict_proba`` and
``score`` see the images as they are, and in a search only the training
folds are augmented. Every layer is seeded from ``random_state``.
"""

import keras

__all__ = [
    "AUGMENTATION_LAYERS",
    "PRESETS",
    "augmentation_layers",
    "check_augmentation",
    "flips_left_right",
]

# Clothing is left-right symmetric and not always centred; it is never
# upside down, so no vertical flips or rotations. Shifts stay within about a
# pixel of a 28x28 image and move whole pixels (nearest), with 0, the
# background of scaled images, filled in: on Fashion-MNIST, larger shifts
# (2 pixels, or 10% with bilinear blurring) cost accuracy at the default
# epochs (the measurements: git show 22bce6e:docs/design_notes.md).
PRESETS = {
    "light": (("RandomFlip", {"mode": "horizontal"}),),
    "standard": (
        ("RandomFlip", {"mode": "horizontal"}),
        (
            "RandomTranslation",
            {
                "height_factor": 0.04,
                "width_factor": 0.04,
                "fill_mode": "constant",
                "fill_value": 0.0,
                "interpolation": "nearest",
            },
        ),
    ),
}

# Keras' random layers that change the image's size or channels, and so
# cannot sit in front of the convolutions for training only.
_SHAPE_CHANGING = {"RandomCrop", "RandomGrayscale"}
# Keras' random image layers that augmentation takes: they transform their
# input only while training, and keep its shape.
AUGMENTATION_LAYERS = tuple(
    cls
    for name, cls in sorted(vars(keras.layers).items())
    if name.startswith("Random")
    and name not in _SHAPE_CHANGING
    and isinstance(cls, type)
    and issubclass(cls, keras.layers.Layer)
)


def check_augmentation(value):
    """Raise a clear error for an ``augmentation`` that is not usable."""
    if value is None or (isinstance(value, str) and value in PRESETS):
        return
    if isinstance(value, str):
        raise ValueError(
            f"augmentation={value!r} is not a preset; use None, "
            f"{', '.join(map(repr, PRESETS))} or a list of Keras random image "
            "layers."
        )
    for layer in value:
        name = type(layer).__name__
        if type(layer) not in AUGMENTATION_LAYERS:
            raise ValueError(
                "augmentation takes Keras' random image layers, which act only "
                "while training and keep the image's shape (keras.layers."
                f"RandomFlip, RandomTranslation, RandomZoom, ...); got {name}."
            )


def flips_left_right(value):
    """Whether the ``augmentation`` ``value`` trains on left-right mirror images.

    True for the presets and for a list holding a ``keras.layers.RandomFlip``
    whose mode includes "horizontal": the networks that have learnt that an
    image and its mirror are the same class, for which flip test-time
    augmentation is sound.
    """
    if value is None:
        return False
    if isinstance(value, str):
        specs = PRESETS[value]
        return any(
            name == "RandomFlip" and "horizontal" in kw["mode"] for name, kw in specs
        )
    return any(
        isinstance(layer, keras.layers.RandomFlip) and "horizontal" in layer.mode
        for layer in value
    )


def augmentation_layers(value, *, seeds, policy):
    """New Keras layers for one network, each with its own seed.

    Parameters
    ----------
    value : None, str or list of keras.layers.Layer
        The ``augmentation`` parameter; a list is copied through each
        layer's config, so the user's layers are never bound to a model.
    seeds : callable
        Returns the next seed (or None).
    policy : keras.DTypePolicy
        The network's dtype policy.
    """
    if value is None:
        return []
    if isinstance(value, str):
        specs = [(getattr(keras.layers, name), dict(kw)) for name, kw in PRESETS[value]]
    else:
        specs = []
        for layer in value:
            config = layer.get_config()
            for key in ("name", "dtype", "seed"):
                config.pop(key, None)
            specs.append((type(layer), config))
    return [
        cls(**config, seed=seeds(), dtype=policy, name=f"augment_{i}")
        for i, (cls, config) in enumerate(specs)
    ]
