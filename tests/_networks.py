"""Small networks of a user's, for the tests of ImageClassifier and ONNX.

Module-level functions, so that pickle, clone and skops find them by name.
"""

import keras


def small_network(meta, units=100):
    """A flat input and one hidden layer (100 units by default, as in
    MLPClassifier), without a head: skfashion adds one."""
    inputs = keras.Input((meta["n_features_in_"],))
    x = keras.layers.Dense(units, activation="relu")(inputs)
    return keras.Model(inputs, x)


class SmallNetwork:
    """:func:`small_network` as a builder object: a callable whose repr (and
    so the test ids of scikit-learn's checks) is the same in every process."""

    def __call__(self, meta, units=100):
        return small_network(meta, units)

    def __repr__(self):
        return "SmallNetwork()"


def image_network(meta, filters=4):
    """An image input, a convolution and pooling, then logits."""
    inputs = keras.Input(meta["image_shape_"])
    x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    return keras.Model(inputs, keras.layers.Dense(meta["n_classes_"])(x))


def residual_network(meta, filters=8):
    """A residual block, both poolings concatenated, layer normalization."""
    layers = keras.layers
    inputs = keras.Input(meta["image_shape_"])
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu", name="conv")(x)
    y = layers.Conv2D(filters, 3, padding="same")(x)
    y = layers.BatchNormalization()(y)
    x = layers.ReLU()(layers.Add()([x, y]))
    x = layers.Concatenate()(
        [
            layers.AveragePooling2D(3, strides=2, padding="same")(x),
            layers.MaxPooling2D(2)(x),
        ]
    )
    x = layers.LayerNormalization()(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(inputs, layers.Dense(meta["n_classes_"])(x))


def mobile_block(meta):
    """Depthwise and separable convolutions, activations as layers, softmax."""
    layers = keras.layers
    inputs = keras.Input(meta["image_shape_"])
    # Several channels before each depthwise convolution, so that the order
    # of its output channels (input channel, then multiplier) matters.
    x = layers.Conv2D(3, 1)(inputs)
    x = layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(
        8, 3, strides=2, padding="same", depth_multiplier=2, activation="gelu"
    )(x)
    x = layers.LeakyReLU(0.1)(x)
    x = layers.ELU()(x)
    x = layers.ReLU(max_value=6.0)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="swish")(x)
    x = layers.LayerNormalization()(x)
    x = layers.Dense(meta["n_classes_"])(x)
    return keras.Model(inputs, layers.Softmax()(x))
