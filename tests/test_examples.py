"""Every example runs with --quick and writes its PNG files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HAS_REAL_DATA

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
    "plot_mnist_digits.py": ["mnist_confusion_matrices", "mnist_confident_errors"],
    "plot_feature_maps.py": [
        "feature_maps_0",
        "feature_maps_7",
        "feature_maps_9",
        "first_layer_filters",
    ],
}


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES.glob("plot_*.py")) == sorted(EXPECTED_PNGS)


@pytest.mark.skipif(not HAS_REAL_DATA, reason="needs SKFASHION_DATA (real datasets)")
@pytest.mark.parametrize("name", sorted(EXPECTED_PNGS))
def test_example_quick(name, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / name),
            "--quick",
            "--output-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    written = sorted(p.stem for p in tmp_path.glob("*.png"))
    assert written == sorted(EXPECTED_PNGS[name])
    for png in tmp_path.glob("*.png"):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert "wrote" in result.stdout


def test_quick_from_environment(tmp_path, monkeypatch):
    """SKFASHION_QUICK=1 is the same as --quick."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from _common import parse_args

        monkeypatch.setattr(sys, "argv", ["x", "--output-dir", str(tmp_path / "o")])
        monkeypatch.setenv("SKFASHION_QUICK", "1")
        args = parse_args("doc")
        assert args.quick and args.output_dir.is_dir()
        monkeypatch.setenv("SKFASHION_QUICK", "0")
        assert not parse_args("doc").quick
    finally:
        sys.path.remove(str(EXAMPLES))
