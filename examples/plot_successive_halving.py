"""
=======================================================
Successive halving over epochs with HalvingGridSearchCV
=======================================================

:class:`~sklearn.model_selection.HalvingGridSearchCV` treats the number of
epochs as a resource: every candidate first trains for a few epochs, and only
the best third go on, with their epochs tripled (``factor=3``). This example
runs it and the plain :class:`~sklearn.model_selection.GridSearchCV` (every
candidate at the full number of epochs) on the same grid and data, and
compares their cost (epochs trained, wall time) and the candidates they pick.
"""

# %%
# Setup
# -----
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import ANNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import CVResultsDisplay, format_cv_results

parser = argparse.ArgumentParser(
    description="Successive halving over epochs with HalvingGridSearchCV"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
X, y = fetch_fashion_mnist(n_samples=1500 if args.quick else 10000, return_X_y=True)
max_epochs = 3 if args.quick else 18
pipe = Pipeline(
    [("pixels", ImagePreprocessor()), ("ann", ANNClassifier(random_state=0))]
)
grid = {
    "ann__hidden_layer_sizes": [(64,), (256,), (512, 256)],
    "ann__optimizer": ["adam", "rmsprop", "sgd"],
}
n_candidates = len(grid["ann__hidden_layer_sizes"]) * len(grid["ann__optimizer"])

# %%
# Successive halving
# ------------------
t0 = time.perf_counter()
halving = HalvingGridSearchCV(
    pipe,
    grid,
    resource="ann__epochs",
    min_resources=1 if args.quick else 2,
    max_resources=max_epochs,
    factor=3,
    cv=3,
).fit(X, y)
halving_seconds = time.perf_counter() - t0
halving_epochs = 3 * sum(halving.cv_results_["n_resources"])
print(format_cv_results(halving, max_rows=5))
print(f"iterations: candidates {halving.n_candidates_}, epochs {halving.n_resources_}")

# %%
# Full grid, every candidate at the maximum number of epochs
# ----------------------------------------------------------
t0 = time.perf_counter()
full = GridSearchCV(pipe.set_params(ann__epochs=max_epochs), grid, cv=3).fit(X, y)
full_seconds = time.perf_counter() - t0
full_epochs = 3 * n_candidates * max_epochs
print(format_cv_results(full, max_rows=5))

# %%
# Comparison
# ----------
best_full = full.best_params_
# The halving search's best_params_ also name the resource (ann__epochs).
halving_best = {k: v for k, v in halving.best_params_.items() if k != "ann__epochs"}
index = full.cv_results_["params"].index(halving_best)
score_of_halving_pick = full.cv_results_["mean_test_score"][index]
gap = full.best_score_ - score_of_halving_pick
tolerance = full.cv_results_["std_test_score"][full.best_index_]
print(f"\nsuccessive halving: {halving_epochs} epochs trained, {halving_seconds:.0f} s")
print(f"full grid:          {full_epochs} epochs trained, {full_seconds:.0f} s")
print(
    f"cost ratio (halving / full): epochs {halving_epochs / full_epochs:.2f}, "
    f"time {halving_seconds / full_seconds:.2f}"
)
print(f"full grid's best: {best_full} ({full.best_score_:.4f})")
print(
    f"halving's pick:   {halving_best} ({score_of_halving_pick:.4f} in the full grid)"
)
if halving_best == best_full:
    print("verdict: the same candidate")
elif gap <= tolerance:
    print(f"verdict: an equally good candidate (within one std, {tolerance:.4f})")
else:
    print(f"verdict: a worse candidate, {gap:.4f} below the best")

display = CVResultsDisplay.from_cv_results(
    full, x="hidden_layer_sizes", hue="optimizer"
)
display.ax_.set_title(f"Full grid at {max_epochs} epochs")
display.figure_.savefig(args.output_dir / "halving_full_grid.png", bbox_inches="tight")
print(f"wall time: {time.perf_counter() - start:.0f} s")
