"""Every example runs with --quick and writes its PNG files."""

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"
EXPECTED_PNGS = {
    "plot_dataset_overview.py": ["fashion_mnist_samples"],
    "plot_ann_grid_search.py": [
        "cv_results",
        "learning_curves",
        "confusion_matrix",
        "predictions",
        "confident_errors",
    ],
    "plot_cnn_grid_search.py": [
        "cnn_cv_heatmap",
        "cnn_cv_results",
        "cnn_learning_curves",
        "cnn_confusion_matrix",
        "cnn_predictions",
    ],
    "plot_successive_halving.py": ["halving_full_grid"],
    "plot_embeddings.py": ["embeddings_pca", "embeddings_tsne"],
    "plot_occlusion.py": ["occlusion_cnn", "occlusion_mlp"],
    "plot_augmentation.py": ["augmentation_samples", "augmentation_cv"],
    "plot_mnist_digits.py": ["mnist_confusion_matrices", "mnist_confident_errors"],
    "plot_feature_maps.py": [
        "feature_maps_0",
        "feature_maps_7",
        "feature_maps_9",
        "first_layer_filters",
    ],
    "plot_tensorboard.py": ["tensorboard_history"],
    "plot_optuna_pruning.py": ["optuna_pruning"],
    "plot_onnx_export.py": ["onnx_latency"],
    "plot_custom_network.py": [
        "custom_network_cv_results",
        "custom_network_comparison",
    ],
    "plot_image_folder.py": [
        "image_folder_cv_results",
        "image_folder_confusion_matrix",
        "image_folder_predictions",
    ],
}
# Other files an example must write, under its output folder.
EXPECTED_FILES = {
    "plot_onnx_export.py": ["fashion_cnn.onnx", "fashion_cnn_int8.onnx"],
    "plot_custom_network.py": ["residual_network.onnx"],
    "plot_tensorboard.py": [
        "tensorboard/projector_config.pbtxt",
        "tensorboard/embeddings.tsv",
        "tensorboard/metadata.tsv",
        "tensorboard/sprite.png",
        "tensorboard/train",
        "tensorboard/validation",
    ],
}


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("plot_*.py")) == sorted(EXPECTED_PNGS)


@pytest.mark.examples
@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(EXPECTED_PNGS))
def test_example_quick(name, tmp_path):
    """Each example runs on its own, copied into an empty folder."""
    script = tmp_path / name
    shutil.copy(EXAMPLES / name, script)
    env = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, name, "--quick"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = tmp_path / "skfashion-output"  # the default --output-dir
    written = sorted(p.stem for p in output.glob("*.png"))
    assert written == sorted(EXPECTED_PNGS[name])
    for png in output.glob("*.png"):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    for path in EXPECTED_FILES.get(name, []):
        assert (output / path).exists(), path


def _recipe_of_example():
    """The RECIPE dict of examples/plot_augmentation.py, read without running it."""
    tree = ast.parse((EXAMPLES / "plot_augmentation.py").read_text())
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "RECIPE":
            call = node.value  # dict(key=value, ...)
            return {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    raise AssertionError("no RECIPE in plot_augmentation.py")


def test_recipe_is_the_benchmarks():
    """The example trains the recipe that benchmark section (c) measures."""
    path = EXAMPLES.parent / "benchmarks" / "harness.py"
    spec = importlib.util.spec_from_file_location("harness", path)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    assert _recipe_of_example() == harness.RECIPE
