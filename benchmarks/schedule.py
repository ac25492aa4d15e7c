"""Constant versus cosine learning rate for the first-round default networks.

Trains the ANN (Dense 512-256, dropout 0.2) or CNN (Conv 32-64, dense head 128,
dropout 0.25) that were the defaults of the first performance round, written
in plain Keras exactly as the estimators build them (L2 = 0.5 * 1e-4 / 200,
batch 200, Adam, 32 steps per execution), on the full Fashion-MNIST training
set, and prints the test accuracy after each of the last four epochs. With
``--cosine`` the learning rate follows the estimators' ``learning_rate="cosine"``
schedule over ``--epochs``.

    python benchmarks/schedule.py ann --epochs 12 --cosine --seed 0
    python benchmarks/schedule.py cnn --epochs 14 --cosine
"""

import argparse
import time

import keras
import numpy as np

from skfashion import ImagePreprocessor
from skfashion._callbacks import cosine_learning_rate
from skfashion.datasets import fetch_fashion_mnist


def build(kind):
    layers = keras.layers
    reg = keras.regularizers.L2(0.5 * 1e-4 / 200)
    if kind == "ann":
        body = [
            layers.Dense(512, activation="relu", kernel_regularizer=reg),
            layers.Dropout(0.2),
            layers.Dense(256, activation="relu", kernel_regularizer=reg),
            layers.Dropout(0.2),
        ]
    else:
        conv = dict(padding="same", activation="relu", kernel_regularizer=reg)
        body = [
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(32, 3, **conv),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Conv2D(64, 3, **conv),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu", kernel_regularizer=reg),
            layers.Dropout(0.25),
        ]
    out = layers.Dense(10, activation="softmax", kernel_regularizer=reg)
    return keras.Sequential([keras.Input((784,)), *body, out])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["ann", "cnn"])
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--cosine", action="store_true")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    pre = ImagePreprocessor()
    X, y = fetch_fashion_mnist(return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    X, X_test = pre.fit_transform(X), pre.transform(X_test)

    keras.utils.set_random_seed(args.seed)
    model = build(args.model)
    model.compile(
        optimizer=keras.optimizers.Adam(args.lr),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=32,
    )
    accuracies = []

    class LastEpochs(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch >= args.epochs - 4:
                proba = self.model.predict(X_test, batch_size=1024, verbose=0)
                accuracies.append(round(float(np.mean(proba.argmax(1) == y_test)), 4))

    callbacks = [LastEpochs()]
    if args.cosine:
        callbacks.append(
            keras.callbacks.LearningRateScheduler(
                lambda e, _: cosine_learning_rate(args.lr, e, args.epochs)
            )
        )
    start = time.perf_counter()
    model.fit(X, y, batch_size=200, epochs=args.epochs, verbose=0, callbacks=callbacks)
    print(
        f"{args.model} epochs={args.epochs} cosine={args.cosine} lr={args.lr} "
        f"seed={args.seed}: {time.perf_counter() - start:.0f} s (with the "
        f"evaluations); test accuracy after the last 4 epochs {accuracies}"
    )


if __name__ == "__main__":
    main()
