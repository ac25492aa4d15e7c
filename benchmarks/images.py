"""Section (i): your own images. Loading a folder of files, the peak memory
that fit and predict add on uint8 memory maps, and the time of an epoch on
in-memory arrays and on a memory map, each case in a fresh process.

    python benchmarks/images.py --json i.json --markdown i.md
    python benchmarks/images.py --quick            # smoke run, small sizes

Loading: ``load_image_folder`` against a bare one-thread Pillow loop and
Keras' ``image_dataset_from_directory`` (materialised into arrays) on the
same folder of Fashion-MNIST PNG files. Memory: ``resource.getrusage``'s
``ru_maxrss`` added by ``fit`` (one epoch) and by ``predict_proba``, counted
after a warm-up fit on 512 images (then trained on with ``warm_start``), for
``CNNClassifier(rescale=1/255)`` and
for the same network in plain Keras reading batches through a
``keras.utils.PyDataset``, on uint8 memory maps of 64x64x3 images. Epochs:
one epoch of the default ANN and CNN on Fashion-MNIST, float32 and uint8
(``rescale``) in memory and a uint8 memory map, against plain Keras
``Model.fit`` on the float32 arrays of the same network, and (``--baseline
PATH``) against another checkout's skfashion, such as the commit before
streaming.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIDE = 64
SMALL_CNN = {"filters": (8, 16), "hidden_layer_sizes": (32,)}


def _maxrss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fashion(subset="train"):
    from skfashion.datasets import fetch_fashion_mnist

    return fetch_fashion_mnist(
        subset=subset, return_X_y=True, download_if_missing=False
    )


# ------------------------------------------------------------------ workers


def _write_folder(spec):
    import numpy as np
    from PIL import Image

    X, y = _fashion("train")
    X_test, y_test = _fashion("test")
    X, y = np.concatenate([X, X_test]), np.concatenate([y, y_test])
    root = Path(spec["root"])
    for i in range(spec["n"]):
        folder = root / str(y[i])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(X[i].reshape(28, 28)).save(folder / f"{i:05d}.png")
    return {}


def _load(spec):
    import keras
    import numpy as np
    from PIL import Image

    from skfashion.datasets import load_image_folder

    Image.init()  # every loader then finds Pillow's plugins loaded
    root = Path(spec["root"])
    start = time.perf_counter()
    if spec["how"] == "skfashion":
        images = load_image_folder(root, color_mode="grayscale", verbose=0).images
    elif spec["how"] == "pillow":
        files = sorted(str(p) for p in root.glob("*/*.png"))
        images = np.stack([np.asarray(Image.open(f)) for f in files])
    else:
        dataset = keras.utils.image_dataset_from_directory(
            root, color_mode="grayscale", image_size=(28, 28), batch_size=1024,
            shuffle=False, verbose=False,
        )  # fmt: skip
        images = np.concatenate([np.asarray(x) for x, _ in dataset]).astype(np.uint8)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "n": len(images), "per_s": len(images) / seconds}


def _keras_cnn(n_classes):
    import keras

    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((SIDE * SIDE * 3,)),
            layers.Rescaling(1 / 255),
            layers.Reshape((SIDE, SIDE, 3)),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(32, activation="relu"),
            layers.Dense(n_classes, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def _memory(spec):
    """ru_maxrss added by fit and by predict on a memmap, after a warm-up."""
    import numpy as np

    X = np.load(spec["path"], mmap_mode="r").reshape(-1, SIDE * SIDE * 3)
    y = np.arange(len(X)) % 10
    warm = np.ascontiguousarray(X[:512])
    if spec["how"] == "skfashion":
        from skfashion import CNNClassifier

        est = CNNClassifier(
            **SMALL_CNN, epochs=1, batch_size=128, rescale=1 / 255,
            augmentation=None, dtype_policy="float32", random_state=0,
            compile__run_eagerly=False,  # the warm-up traces, as the fit does
        )  # fmt: skip
        est.fit(warm, y[:512]).predict_proba(warm)
        before = _maxrss_mb()
        # The warm-up's network, as Keras' fit below trains the warm-up's
        # model: what is counted is what streaming X adds.
        est.set_params(warm_start=True).fit(X, y)
        after_fit = _maxrss_mb()
        est.predict_proba(X)
    else:
        import keras

        class Batches(keras.utils.PyDataset):
            def __init__(self, X, y, batch_size):
                super().__init__()
                self.X, self.y, self.batch_size = X, y, batch_size

            def __len__(self):
                return -(-len(self.X) // self.batch_size)

            def __getitem__(self, i):
                rows = slice(i * self.batch_size, (i + 1) * self.batch_size)
                x = np.asarray(self.X[rows], dtype=np.float32)
                return (x,) if self.y is None else (x, self.y[rows])

        model = _keras_cnn(10)
        model.fit(Batches(warm, y[:512], 128), epochs=1, verbose=0)
        model.predict(Batches(warm, None, 128), verbose=0)
        before = _maxrss_mb()
        model.fit(Batches(X, y, 128), epochs=1, verbose=0)
        after_fit = _maxrss_mb()
        model.predict(Batches(X, None, 1024), verbose=0)
    after_predict = _maxrss_mb()
    return {
        "fit_mb": after_fit - before,
        "predict_mb": after_predict - after_fit,
        "file_mb": os.path.getsize(spec["path"]) / 2**20,
    }


def _epochs(spec):
    """Seconds of one epoch of the default ANN or CNN on all of Fashion-MNIST's
    training images, after a warm-up fit on 2,048 of them (whose network the
    timed epoch trains on, with ``warm_start``)."""
    import numpy as np

    from skfashion import ANNClassifier, CNNClassifier

    cls = {"ann": ANNClassifier, "cnn": CNNClassifier}[spec["model"]]
    X, y = _fashion("train")
    how = spec["how"]
    params = {"epochs": 1, "random_state": 0}
    if how in ("uint8", "memmap"):
        params["rescale"] = 1 / 255
    else:  # float32 pixels in [0, 1], as ImagePreprocessor gives them
        X = (X / 255).astype(np.float32)
    if how == "memmap":
        path = Path(spec["tmp"]) / "fashion.npy"
        np.save(path, X)
        X = np.load(path, mmap_mode="r")
    est = cls(**params).fit(X[:2048], y[:2048])
    if how == "keras":  # the same compiled network, on the arrays themselves
        model = est.model_
        start = time.perf_counter()
        model.fit(X, y, batch_size=est._batch_size(len(X)), epochs=1, verbose=0)
        return {"epoch_s": time.perf_counter() - start}
    est.set_params(warm_start=True)
    start = time.perf_counter()
    est.fit(X, y)
    return {"epoch_s": time.perf_counter() - start}


WORKERS = {"write": _write_folder, "load": _load, "memory": _memory, "epochs": _epochs}


def run_worker(spec, src=None):
    """One case in a fresh Python process (importing skfashion from ``src``,
    another checkout, when given); its result as a dict."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"worker {spec} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ sections


def loading(sizes, tmp):
    rows = []
    for n in sizes:
        root = Path(tmp) / f"folder-{n}"
        run_worker({"kind": "write", "root": str(root), "n": n})
        result = {"n": n}
        for how in ("pillow", "skfashion", "keras"):
            result[how] = run_worker({"kind": "load", "root": str(root), "how": how})
        rows.append(result)
    return rows


def memory(sizes, tmp):
    import numpy as np

    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        path = Path(tmp) / f"images-{n}.npy"
        data = np.lib.format.open_memmap(
            path, mode="w+", dtype=np.uint8, shape=(n, SIDE, SIDE, 3)
        )
        for start in range(0, n, 10000):
            stop = min(n, start + 10000)
            data[start:stop] = rng.integers(0, 256, (stop - start, SIDE, SIDE, 3))
        data.flush()
        del data
        result = {"n": n}
        for how in ("keras", "skfashion"):
            result[how] = run_worker({"kind": "memory", "path": str(path), "how": how})
        path.unlink()
        rows.append(result)
    return rows


def epochs(tmp, models, baseline=None):
    rows = {}
    for model in models:
        cases = {}
        for how in ("keras", "float32", "uint8", "memmap"):
            spec = {"kind": "epochs", "model": model, "how": how, "tmp": tmp}
            cases[how] = run_worker(spec)
        if baseline is not None:
            spec = {"kind": "epochs", "model": model, "how": "float32", "tmp": tmp}
            cases["baseline"] = run_worker(spec, src=baseline)
        rows[model] = cases
    return rows


def markdown(results):
    lines = [f"Machine: {results['machine']}; {results['date']}.", ""]
    lines += [
        "| files | bare Pillow loop, images/s | load_image_folder, images/s "
        "| Keras image_dataset_from_directory, images/s | vs Pillow | vs Keras |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["loading"]:
        ours = r["skfashion"]["per_s"]
        lines.append(
            f"| {r['n']:,} | {r['pillow']['per_s']:,.0f} | {ours:,.0f} | "
            f"{r['keras']['per_s']:,.0f} | {ours / r['pillow']['per_s']:.2f}x | "
            f"{ours / r['keras']['per_s']:.2f}x |"
        )
    lines += [
        "",
        "| 64x64x3 images | file MB | Keras + PyDataset: fit MB | skfashion: fit MB "
        "| target (1.2 x Keras + file / 4) | Keras: predict MB | skfashion: "
        "predict MB | target | met |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results["memory"]:
        k, s = r["keras"], r["skfashion"]
        quarter = s["file_mb"] / 4
        fit_target = 1.2 * max(k["fit_mb"], 0) + quarter
        predict_target = 1.2 * max(k["predict_mb"], 0) + quarter
        met = s["fit_mb"] <= fit_target and s["predict_mb"] <= predict_target
        lines.append(
            f"| {r['n']:,} | {s['file_mb']:.0f} | {k['fit_mb']:.0f} | "
            f"{s['fit_mb']:.0f} | {fit_target:.0f} | {k['predict_mb']:.0f} | "
            f"{s['predict_mb']:.0f} | {predict_target:.0f} | "
            f"{'yes' if met else 'no'} |"
        )
    if results.get("epochs"):
        lines += [
            "",
            "| one epoch on 60,000 Fashion-MNIST images | s | vs plain Keras "
            "Model.fit on the float32 arrays | vs skfashion before streaming |",
            "| --- | ---: | ---: | ---: |",
        ]
        labels = {
            "keras": "plain Keras Model.fit, float32 arrays",
            "baseline": f"skfashion at {results.get('baseline', '?')}, float32",
            "float32": "skfashion, float32 in memory",
            "uint8": "skfashion, uint8 in memory, rescale=1/255",
            "memmap": "skfashion, uint8 memmap, rescale=1/255",
        }
        for model, cases in results["epochs"].items():
            base = cases["keras"]["epoch_s"]
            old = cases.get("baseline", {}).get("epoch_s")
            for how, label in labels.items():
                if how not in cases:
                    continue
                seconds = cases[how]["epoch_s"]
                versus_old = f"{seconds / old:.2f}x" if old else "-"
                lines.append(
                    f"| {model.upper()}: {label} | {seconds:.1f} | "
                    f"{seconds / base:.2f}x | {versus_old} |"
                )
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no'} |")
    return "\n".join(lines) + "\n"


def targets(results):
    """``[(target, measured, met)]`` of the issue's targets, as run."""
    rows = []
    for r in results["loading"]:
        ours = r["skfashion"]["per_s"]
        versus = ours / r["pillow"]["per_s"], ours / r["keras"]["per_s"]
        rows.append((f"{r['n']:,} files: at least the Pillow loop's throughput",
                     f"{versus[0]:.2f}x", versus[0] >= 1))  # fmt: skip
        rows.append((f"{r['n']:,} files: 3x Keras' throughput",
                     f"{versus[1]:.2f}x", versus[1] >= 3))  # fmt: skip
    for r in results["memory"]:
        k, s = r["keras"], r["skfashion"]
        for part in ("fit", "predict"):
            limit = 1.2 * max(k[f"{part}_mb"], 0) + s["file_mb"] / 4
            rows.append((f"{r['n']:,} images: {part} adds at most 1.2x Keras' "
                         "+ a quarter of the file",
                         f"{s[f'{part}_mb']:.0f} MB of {limit:.0f} MB",
                         s[f"{part}_mb"] <= limit))  # fmt: skip
    for model, cases in results.get("epochs", {}).items():
        old = cases.get("baseline", cases["keras"])["epoch_s"]
        ratio = cases["float32"]["epoch_s"] / old
        target = f"{model.upper()}: an epoch in memory within 1.1x of the code"
        rows.append((f"{target} before streaming", f"{ratio:.2f}x", ratio <= 1.1))
        ratio = cases["memmap"]["epoch_s"] / cases["uint8"]["epoch_s"]
        rows.append((f"{model.upper()}: an epoch on a memmap within 1.25x of "
                     "in memory", f"{ratio:.2f}x", ratio <= 1.25))  # fmt: skip
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", nargs="+", default=["loading", "memory", "epochs"])
    parser.add_argument("--models", nargs="+", default=["ann", "cnn"])
    parser.add_argument(
        "--baseline",
        help="another checkout (say a git worktree of the commit before "
        "streaming): its skfashion is timed beside this one in the epochs part",
    )
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(WORKERS[spec.pop("kind")](spec)))
        return
    sys.path.insert(0, str(HERE))
    from harness import machine

    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        if "loading" in args.parts:
            sizes = (1000,) if args.quick else (10000, 70000)
            results["loading"] = loading(sizes, tmp)
        if "memory" in args.parts:
            sizes = (2000,) if args.quick else (10000, 40000, 160000)
            results["memory"] = memory(sizes, tmp)
        if "epochs" in args.parts and not args.quick:
            if args.baseline:
                results["baseline"] = subprocess.run(
                    ["git", "-C", args.baseline, "rev-parse", "--short", "HEAD"],
                    capture_output=True, text=True, check=False,
                ).stdout.strip()  # fmt: skip
            results["epochs"] = epochs(tmp, args.models, args.baseline)
    results.setdefault("loading", [])
    results.setdefault("memory", [])
    text = markdown(results)
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.markdown:
        Path(args.markdown).write_text(text)


if __name__ == "__main__":
    main()
