"""
===========================================
Pruned hyper-parameter search with Optuna
===========================================

`Optuna <https://optuna.org>`_ samples hyper-parameters trial by trial and
stops unpromising trials early. optuna-integration's
``KerasPruningCallback`` reports a metric after every epoch; passed through
``callbacks=``, it reaches the user's trial (each fit trains a copy of every
callback, but the objects a callback was given are shared), so Optuna's
pruner can stop a :class:`~skfashion.CNNClassifier` whose validation loss
lags the trials before it.

It needs the ``optuna`` extra: ``pip install -e ".[optuna]"`` from a clone.
"""

# %%
# Setup
# -----
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import optuna
from optuna_integration import KerasPruningCallback
from sklearn.model_selection import train_test_split

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist

parser = argparse.ArgumentParser(description="Pruned search with Optuna")
parser.add_argument("--quick", action="store_true", help="small data, few trials")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()

X, y = fetch_fashion_mnist(n_samples=1500 if args.quick else 12000, return_X_y=True)
X = ImagePreprocessor().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
n_trials, epochs = (4, 3) if args.quick else (16, 8)

# %%
# The objective
# -------------
# Each trial trains a CNN with early stopping's validation split, so that the
# callback sees ``val_loss`` after every epoch. A pruned trial's ``fit``
# raises :class:`optuna.TrialPruned`, and Optuna records the trial as pruned.


def objective(trial):
    clf = CNNClassifier(
        filters=(trial.suggest_categorical("first_filters", [8, 16, 32]), 32),
        learning_rate_init=trial.suggest_float(
            "learning_rate_init", 1e-4, 3e-2, log=True
        ),
        dropout=trial.suggest_float("dropout", 0.0, 0.4),
        epochs=epochs,
        early_stopping=True,
        n_iter_no_change=epochs,
        callbacks=[KerasPruningCallback(trial, "val_loss")],
        random_state=0,
    )
    clf.fit(X_train, y_train)
    trial.set_user_attr("test_accuracy", clf.score(X_test, y_test))
    return min(clf.history_["val_loss"])


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(
    direction="minimize",
    sampler=optuna.samplers.TPESampler(seed=0),
    pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
)
study.optimize(objective, n_trials=n_trials)

# %%
# Results
# -------
# Every trial's validation loss per epoch: the pruned ones stop early.
pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
print(f"{len(study.trials)} trials, {len(pruned)} pruned")
for t in study.trials:
    epochs_run = len(t.intermediate_values)
    print(f"trial {t.number}: {t.state.name:8s} after {epochs_run} epochs {t.params}")
best = study.best_trial
print(
    f"best trial {best.number}: validation loss {best.value:.4f}, "
    f"test accuracy {best.user_attrs['test_accuracy']:.4f}"
)

fig, ax = plt.subplots(figsize=(6, 4))
for t in study.trials:
    steps = sorted(t.intermediate_values)
    style = "--" if t.state == optuna.trial.TrialState.PRUNED else "-"
    ax.plot(
        [s + 1 for s in steps],
        [t.intermediate_values[s] for s in steps],
        style,
        marker="o",
        label=f"trial {t.number} ({t.state.name.lower()})",
    )
ax.set_xlabel("epoch")
ax.set_ylabel("validation loss")
ax.set_title("Optuna trials (dashed: pruned)")
ax.legend(fontsize="small")
fig.savefig(args.output_dir / "optuna_pruning.png", bbox_inches="tight")
print(f"wall time: {time.perf_counter() - start:.0f} s")
