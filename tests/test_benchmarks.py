"""The committed benchmark reports are what report.py writes from their JSON."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"
RESULTS = sorted((BENCHMARKS / "results").glob("*.json"))


@pytest.fixture(scope="module")
def benchmarks_importable(request):
    sys.path.insert(0, str(BENCHMARKS))
    request.addfinalizer(lambda: sys.path.remove(str(BENCHMARKS)))


@pytest.fixture(scope="module")
def report(benchmarks_importable):
    import report

    return report


@pytest.fixture(scope="module")
def harness(benchmarks_importable):
    import harness

    return harness


def test_results_are_committed_in_pairs():
    assert RESULTS, "no benchmark results committed"
    for path in RESULTS:
        assert path.with_suffix(".md").is_file(), path


@pytest.mark.parametrize("path", RESULTS, ids=[p.stem for p in RESULTS])
def test_report_matches_its_results(report, path):
    results = json.loads(path.read_text())
    assert report.markdown(results) == path.with_suffix(".md").read_text()
    assert not results["quick"]  # only full runs are committed


@pytest.mark.parametrize(
    "flags, expected",
    [
        ("fpu avx2 avx512f amx_bf16 avx512_bf16", "Xeon, AMX bfloat16, 2 cores"),
        ("fpu avx2 avx512f avx512_bf16", "Xeon, AVX512_BF16, 2 cores"),
        ("fpu avx2 fma", "Xeon, AVX2 only, no native bfloat16, 2 cores"),
        ("fpu avx2 avx512f", "Xeon, no native bfloat16, 2 cores"),
    ],
)
def test_machine_names_the_bfloat16_support(
    harness, flags, expected, tmp_path, monkeypatch
):
    # Reports from "AMD EPYC" VMs with AVX2 only and with AVX512_BF16 must
    # not read alike: their peaks differ four-fold.
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"model name\t: Xeon\nflags\t\t: {flags}\n")
    assert harness.machine(cpuinfo).startswith(expected)


@pytest.mark.realdata
def test_lever_scores_one_fit_without_and_with_flips(harness):
    params = {"filters": [8], "hidden_layer_sizes": [16], "epochs": 3,
              "learning_rate_init": 0.01}  # fmt: skip
    spec = {"params": params, "n_train": 500, "n_test": 300, "seed": 0}
    run = harness._lever(spec)
    assert run["epochs_run"] == 3 and run["seed"] == 0
    assert run["fit_s"] > 0 and run["dtype_policy"]
    # The same fitted network, scored twice: the mirror images change some
    # of 300 predictions, so the two accuracies differ.
    assert 0 <= run["accuracy"] <= 1 and 0 <= run["accuracy_flip"] <= 1
    assert run["accuracy"] != run["accuracy_flip"]
    for name in harness.SHIFT_VIEWS:
        assert 0 <= run[f"accuracy_{name}"] <= 1


@pytest.mark.parametrize(
    "dy, dx, row, column", [(0, 1, 0, 1), (0, -1, 0, -1), (1, 0, 1, 0), (-1, 0, -1, 0)]
)
def test_shifted_moves_the_image_and_fills_the_background(harness, dy, dx, row, column):
    import numpy as np

    X = np.zeros((2, 9), dtype="float32")
    X[:, 4] = 1.0  # the centre pixel of a 3x3 image
    images = harness._shifted(X, (3, 3, 1), dy, dx).reshape(2, 3, 3)
    expected = np.zeros((3, 3), dtype="float32")
    expected[1 + row, 1 + column] = 1.0
    np.testing.assert_array_equal(images[0], expected)
    np.testing.assert_array_equal(images[1], expected)


def test_lever_json_names_keras_augmentation_layers(harness):
    import keras

    params = {"epochs": 1, "augmentation": [["RandomFlip", {"mode": "vertical"}]]}
    layers = harness._augmentation_from_json(params)["augmentation"]
    assert len(layers) == 1 and isinstance(layers[0], keras.layers.RandomFlip)
    assert layers[0].mode == "vertical"
    assert harness._augmentation_from_json({"augmentation": "light"}) == {
        "augmentation": "light"
    }


def test_cnn_description_is_the_network_section_b_fits(harness, report):
    # The report's prose once said "dropout 0.25" after the default became 0: it must
    # follow the estimator that section (b) builds, not be written by hand.
    params = harness.make_model({"model": "cnn-skfashion", "epochs": 1}).get_params()
    text = report._networks("cnn", {})
    assert tuple(map(tuple, params["filters"])) == harness.CNN_BLOCKS
    assert tuple(params["hidden_layer_sizes"]) == (harness.CNN_HEAD,)
    assert f"dense head of {harness.CNN_HEAD}," in text
    for n_layers_filters in ("2 of 32 filters", "2 of 64 filters"):
        assert n_layers_filters in text
    assert params["dropout"] == 0.0 and "no dropout" in text
    assert params["label_smoothing"] == 0.0 and "without label smoothing" in text
    assert params["test_time_augmentation"] is None and "flip TTA" in text
