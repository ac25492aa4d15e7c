"""The benchmarks' report: one Markdown text for a run's results."""

import statistics

from harness import CNN_BLOCKS, CNN_HEAD, REFERENCE_PEAKS, refit_share


def _verdict(r, ok):
    if r["quick"]:
        return "n/a (quick)"
    return "not judged" if ok is None else ("yes" if ok else "no")


def _s(seconds):
    return "-" if seconds is None else f"{seconds:.0f}"


def _ceiling(s):
    """What the one-thread n_jobs=1 search says about n_jobs=2's best case."""
    if "ceiling" not in s:
        return ""
    return (
        f" With TensorFlow on one thread, n_jobs=1 took "
        f"{s['n_jobs_1_one_thread_s']:.1f} s (on two: {s['n_jobs_1_s']:.1f} s), "
        f"so two one-thread workers can be at most {s['ceiling']:.2f}x faster "
        "than n_jobs=1, before their start-up."
    )


def _parts(s):
    """Where the n_jobs=1 and the cold n_jobs=2 search spent their time."""
    one, two = s["parts"]["n_jobs_1"], s["parts"]["n_jobs_2"]
    work_1 = one["cv_fit_s"] + one["cv_score_s"]
    work_2 = two["cv_fit_s"] + two["cv_score_s"]
    return (
        f" Timed inside the processes, the {s['n_candidates'] * s['cv']} "
        f"cross-validation fits and their scoring took {work_1:.1f} s with "
        f"n_jobs=1 (one process, TensorFlow on two threads) and {work_2:.1f} s "
        f"with n_jobs=2 (two workers on one thread each, added up: "
        f"{work_2 / work_1:.2f}x), the refit in the main process "
        f"{one['refit_s']:.1f} s and {two['refit_s']:.1f} s. Less its half of "
        f"that work and its refit, the cold n_jobs=2 search spent "
        f"{two['rest_s']:.1f} s on starting the workers, sending them the data "
        f"and an uneven split (n_jobs=1: {one['rest_s']:.1f} s outside fits, "
        "scoring and refit)."
    )


def _bound(s):
    """The cold speed-up's upper bound, for runs that measured it."""
    if "cold_bound" not in s:
        return ""
    refit = refit_share(s)
    return (
        f" Even with the cross-validation fits split perfectly between the two "
        f"workers, starting them and the refit on all the images in the main "
        f"process ({refit:.0%} of the training, serial) limit a cold n_jobs=2 "
        f"search to about {s['cold_bound']:.2f}x here."
    )


def _networks(section, rows):
    """What the CNN rows train, and in which dtype policy each computed."""
    policies = ", ".join(
        f"{name} {row['runs'][0].get('dtype_policy', 'float32 (not recorded)')}"
        for name, row in rows.items()
    )
    blocks = ", then ".join(f"{len(b)} of {b[0]} filters" for b in CNN_BLOCKS)
    return (
        "Both CNNs are CNNClassifier()'s default network: blocks of 3x3 "
        f"convolutions ({blocks}), each block pooled, a dense head of "
        f"{CNN_HEAD}, no dropout, and left-right flips while training; the "
        "wrapper without label smoothing or flip TTA, which plain Keras lacks; "
        "trained alike (adam at a constant 1e-3, batches of 200, no penalty). "
        f"Dtype policy: {policies}."
    )


def markdown(r):
    v = r["versions"]
    sections = ", ".join(f"{n} {sec:.0f} s" for n, sec in r["section_s"].items())
    lines = [
        f"Benchmark of {r['date']} on {r['machine']}; Keras {v['keras']} with "
        f"backend {r['backend']} {v['backend_version']}, scikit-learn "
        f"{v['scikit-learn']}, NumPy {v['numpy']}; {r['n_train']} training / "
        f"{r['n_test']} test images; median of {r['repeats']} interleaved runs "
        f"(quick: {r['quick']}); total {r['total_s']:.0f} s, sections: "
        f"{sections}.",
        "",
    ]
    targets = []
    for section in ("ann", "cnn"):
        if section not in r:
            continue
        lines += [
            f"| {section.upper()} | fit s | ratio | fit CPU s | ratio | predict s "
            "| ratio | first predict s | accuracy | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in r[section].items():
            cpu = f"{row['fit_cpu_s']:.1f} | {row['fit_cpu_s_ratio']:.2f}"
            lines.append(
                f"| {name} | {row['fit_s']:.1f} | {row['fit_s_ratio']:.2f} | {cpu} "
                f"| {row['predict_s']:.3f} | {row['predict_s_ratio']:.2f} "
                f"| {row['predict_first_s']:.3f} | {row['accuracy']:.4f} "
                f"| {row['peak_rss_mb']:.0f} |"
            )
        wrapped = r[section][f"{section}-skfashion"]
        lines += ["", _networks(section, r[section])] if section == "cnn" else []
        lines += [
            "",
            f"{section}-skfashion spends {wrapped['outside_keras_fit_s']:.3f} s of "
            "its fit and "
            f"{1000 * wrapped['outside_keras_predict_s']:.1f} ms of a predict "
            "outside Keras' Model.fit and its prediction calls (validation, label "
            "encoding, routing).",
            "",
        ]
        for key, label in (("fit_s_ratio", "fit"), ("predict_s_ratio", "predict")):
            value = wrapped[key]
            targets.append(
                (f"{section.upper()} wrapper {label} time <= 1.05x plain Keras "
                 "(same compile settings)", f"{value:.2f}x", value <= 1.05)
            )  # fmt: skip
    if "defaults" in r:
        lines += _quality(r, targets)
    if "search" in r:
        s = r["search"]
        lines += [
            f"GridSearchCV ({s['n_candidates']} candidates x {s['cv']} folds, "
            f"{s['n_train']} images, "
            f"{s['epochs']} epochs): n_jobs=1 {s['n_jobs_1_s']:.1f} s; n_jobs=2 "
            f"{s['n_jobs_2_s']:.1f} s, speed-up {s['speedup']:.2f}x; n_jobs=2 "
            f"with TensorFlow's pools not sized {s['n_jobs_2_unsized_s']:.1f} s, "
            f"speed-up {s['speedup_unsized']:.2f}x. These n_jobs=2 timings "
            "include starting the two workers and importing TensorFlow in "
            "each (cold); the n_jobs=1 run imported it before its timing. With "
            f"the workers started beforehand (warm; starting them took "
            f"{s['start_workers_s']:.1f} s): n_jobs=2 "
            f"{s['n_jobs_2_warm_s']:.1f} s, speed-up {s['speedup_warm']:.2f}x."
            + _ceiling(s)
            + _parts(s)
            + _bound(s),
            "",
        ]
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, workers warm, "
             f"{s['n_train']} images",
             f"{s['speedup_warm']:.2f}x", s["speedup_warm"] >= 1.4)
        )  # fmt: skip
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, cold start, "
             f"{s['n_train']} images",
             f"{s['speedup']:.2f}x", s["speedup"] >= 1.4)
        )  # fmt: skip
    if "search_full" in r:
        s = r["search_full"]
        lines += [
            f"The same grid on all {s['n_train']} training images "
            f"({s['epochs']} epochs, cold): n_jobs=1 {s['n_jobs_1_s']:.1f} s; "
            f"n_jobs=2 {s['n_jobs_2_s']:.1f} s, speed-up {s['speedup']:.2f}x."
            + _parts(s)
            + _bound(s),
            "",
        ]
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, cold start, "
             f"{s['n_train']} images", f"{s['speedup']:.2f}x", s["speedup"] >= 1.4)
        )  # fmt: skip
    if "memory" in r:
        m = r["memory"]
        growth = m["rss_after_n_mb"] - m["rss_after_1_mb"]
        lines += [
            f"RSS after 1 fit {m['rss_after_1_mb']:.0f} MB, after {m['n_fits']} fits "
            f"{m['rss_after_n_mb']:.0f} MB (+{growth:.0f} MB).",
            "",
        ]
        targets.append(
            (f"RSS growth over {m['n_fits']} fits <= 300 MB", f"{growth:.0f} MB",
             growth <= 300)
        )  # fmt: skip
    if "latency" in r:
        lat = r["latency"]
        lines += [
            "Section (f) trains its networks for one epoch on "
            f"{lat['n_train']:,} images "
            "(predictions need trained weights, not accuracy) and times every "
            "call in one process, the candidates taking turns.",
            "",
            "| predict, median ms | skfashion | MLPClassifier | ratio "
            "| model_.predict_on_batch | model_.predict (before) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, row in lat["predict_ms"].items():
            before = row.get("model_predict")
            lines.append(
                f"| {int(n):,} images | {row['skfashion']:.2f} | {row['mlp']:.2f} "
                f"| {row['skfashion'] / row['mlp']:.2f} "
                f"| {row['predict_on_batch']:.2f} "
                f"| {'-' if before is None else f'{before:.2f}'} |"
            )
        perm = lat["permutation_importance_s"]
        fit = lat["small_fit_ms"]
        stages = ", ".join(
            f"{k} {v:.0f} ms" for k, v in lat["small_fit_stages_ms"].items()
        )
        lines += [
            "",
            "permutation_importance (50 pixels, 5 repeats, 2,000 images): "
            f"skfashion {perm['skfashion']:.2f} s, MLPClassifier {perm['mlp']:.2f} "
            f"s ({perm['skfashion'] / perm['mlp']:.2f}x).",
            "",
            "Fit on 200 images, 1 epoch, hidden_layer_sizes=(32,): skfashion "
            f"{fit['skfashion']:.0f} ms (traced training step instead of eager: "
            f"{fit['skfashion_traced']:.0f} ms), MLPClassifier {fit['mlp']:.1f} "
            f"ms. Where skfashion's goes: {stages}.",
            "",
        ]
        one, hundred, many = (lat["predict_ms"][k] for k in ("1", "100", "10000"))
        targets += [
            ("predict 1 image <= 3x MLPClassifier and <= 2 ms",
             f"{one['skfashion']:.2f} ms, {one['skfashion'] / one['mlp']:.2f}x",
             one["skfashion"] <= 2 and one["skfashion"] <= 3 * one["mlp"]),
            ("predict 100 images <= 3 ms", f"{hundred['skfashion']:.2f} ms",
             hundred["skfashion"] <= 3),
            ("predict 10,000 images <= 1.0x MLPClassifier",
             f"{many['skfashion'] / many['mlp']:.2f}x",
             many["skfashion"] <= many["mlp"]),
            ("fit on 200 images, 1 epoch, (32,) <= 0.25 s",
             f"{fit['skfashion'] / 1000:.3f} s", fit["skfashion"] <= 250),
        ]  # fmt: skip
    if "efficiency" in r:
        lines += _efficiency(r)
    if "serving" in r:
        lines += _serving(r, targets)
    if targets:
        if r["quick"]:
            lines += ["Quick run: a smoke check on small data; the targets apply to "
                      "the full run only.", ""]  # fmt: skip
        lines += ["| target | measured | met |", "| --- | --- | --- |"]
        for target, value, ok in targets:
            lines.append(f"| {target} | {value} | {_verdict(r, ok)} |")
    return "\n".join(lines) + "\n"


# Section (c)'s targets, in seconds scaled to the reference machine (the
# 2-core Intel VM whose matrix-multiply peaks are REFERENCE_PEAKS):
# model: (minimum median accuracy, maximum median scaled fit seconds,
# minimum accuracy of every seed or None).
QUALITY_TARGETS = {
    "ann-default": (0.900, 30, None),
    "cnn-default-float32": (0.935, 240, None),
    "cnn-default": (0.935, 120, None),  # where "auto" picks bfloat16
    "cnn-recipe": (0.950, 900, 0.947),
}


def _compute_dtype(policy):
    return "bfloat16" if policy and "bfloat16" in policy else "float32"


def mean_peaks(peaks):
    """The mean of several matmul-peak measurements, per dtype."""
    return {d: sum(p[d] for p in peaks) / len(peaks) for d in peaks[0]}


def scaled_s(seconds, policy, peaks):
    """``seconds`` on this machine, scaled to the reference machine's peak
    (None without a measured peak)."""
    if peaks is None:
        return None
    dtype = _compute_dtype(policy)
    return seconds * peaks[dtype] / REFERENCE_PEAKS[dtype]


def _peak_line(peaks, label):
    each = "; ".join(f"{p['float32']:.0f} / {p['bfloat16']:.0f}" for p in peaks)
    return (
        f"Matrix-multiply peak {label} (float32 / bfloat16 GFLOP/s): {each}; "
        f"the reference machine's: {REFERENCE_PEAKS['float32']:.0f} / "
        f"{REFERENCE_PEAKS['bfloat16']:.0f}."
    )


def _quality(r, targets):
    """Section (c): accuracy and fit time of each seed, and their medians."""
    measured = r.get("defaults_peaks")  # runs before 2026-12-02 have none
    peaks = mean_peaks(measured) if measured else None
    lines = [
        _peak_line(measured, "before and after the fits")
        if measured
        else "This run measured no matrix-multiply peak, so its times are not "
        "scaled and the targets, in scaled seconds, are not judged.",
        "Scaled s: the fit's seconds times the mean measured peak of the "
        "dtype it computed in, over the reference peak; so a fit on a slower "
        "day or machine is not counted against the code.",
        "",
        "| model | dtype policy | median fit s | median scaled s "
        "| median accuracy | epochs | each seed: fit s / scaled s / accuracy |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, row in r["defaults"].items():
        policy = row["runs"][0].get("dtype_policy", "-")
        each = ", ".join(
            f"{run['seed']}: {run['fit_s']:.0f} / "
            f"{_s(scaled_s(run['fit_s'], policy, peaks))} / {run['accuracy']:.4f}"
            for run in sorted(row["runs"], key=lambda run: run["seed"])
        )
        lines.append(
            f"| {name} | {policy} | {row['fit_s']:.1f} "
            f"| {_s(scaled_s(row['fit_s'], policy, peaks))} | {row['accuracy']:.4f} "
            f"| {row['epochs_run']:.0f} | {each} |"
        )
    lines.append("")
    defaults = r["defaults"]
    auto, f32 = defaults.get("cnn-default"), defaults.get("cnn-default-float32")
    auto_policy = auto["runs"][0].get("dtype_policy") if auto else None
    if auto and f32 and auto_policy != "float32":
        lines += [
            f'dtype_policy="auto" chose {auto_policy} here: fit '
            f"{auto['fit_s'] / f32['fit_s']:.2f}x float32's, median accuracy "
            f"{auto['accuracy'] - f32['accuracy']:+.4f}.",
            "",
        ]
    ann = defaults.get("ann-default")
    if ann and "ann" in r:
        # Per epoch: the default trains 13 epochs, section (a)'s
        # MLPClassifier((512, 256)) 10.
        mlp = r["ann"]["ann-sklearn"]
        ours = ann["fit_s"] / ann["epochs_run"]
        theirs = mlp["fit_s"] / mlp["epochs_run"]
        targets.append(
            ("ANNClassifier() fit per epoch <= MLPClassifier((512, 256))'s",
             f"{ours:.2f} s vs {theirs:.2f} s", ours <= theirs)
        )  # fmt: skip
    for name, (accuracy, seconds, each) in QUALITY_TARGETS.items():
        row = defaults.get(name)
        if row is None:
            continue
        policy = row["runs"][0].get("dtype_policy")
        if name == "cnn-default" and _compute_dtype(policy) != "bfloat16":
            continue  # "auto" is float32 here: the float32 row's target
        target = f"{name}: median accuracy >= {accuracy:.3f} in <= {seconds} scaled s"
        if peaks is None:
            value = f"{row['accuracy']:.4f} in {row['fit_s']:.0f} s (not scaled)"
            ok = None
        else:
            scaled = scaled_s(row["fit_s"], policy, peaks)
            value = f"{row['accuracy']:.4f} in {scaled:.0f} s"
            ok = row["accuracy"] >= accuracy and scaled <= seconds
        if each is not None:
            worst = min(run["accuracy"] for run in row["runs"])
            target += f", every seed >= {each:.3f}"
            value += f", worst seed {worst:.4f}"
            ok = None if ok is None else ok and worst >= each
        targets.append((target, value, ok))
    return lines


def _efficiency(r):
    """Section (g): GFLOP/s of an epoch against the matmul peak."""
    e = r["efficiency"]
    peaks = mean_peaks(e["peaks"])
    lines = [
        "Section (g) trains each default network for "
        f"{len(next(iter(e['models'].values()))['epoch_s'])} epochs on "
        f"{r['n_train']:,} images and times each epoch. The FLOPs are counted "
        "from the Conv2D and Dense layers (benchmarks/flops.py: a multiply-add "
        "is 2 FLOPs, a training step 3 times the forward pass, less the first "
        "layer's input gradient); everything else an epoch does is what the "
        "ratio to the peak leaves out. Epoch s is the median of the epochs "
        "after the first (which traces).",
        _peak_line(e["peaks"], "before and after"),
        "",
        "| model | dtype policy | forward MFLOP / image | training TFLOP / epoch "
        "| epoch s | GFLOP/s | peak GFLOP/s | ratio to peak | slowest / median "
        "epoch |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, m in e["models"].items():
        times = m["epoch_s"]
        later = times[1:] or times
        epoch = statistics.median(later)
        flops = m["training_flops"] * m["n_train"]
        achieved = flops / epoch / 1e9
        peak = peaks[_compute_dtype(m["dtype_policy"])]
        lines.append(
            f"| {name} | {m['dtype_policy']} | {m['forward_flops'] / 1e6:.1f} "
            f"| {flops / 1e12:.2f} | {epoch:.1f} | {achieved:.0f} | {peak:.0f} "
            f"| {achieved / peak:.2f} | {max(later) / epoch:.2f} |"
        )
    return lines + [""]


def _serving(r, targets):
    """Section (h): the serving table, the environments, and their targets."""
    s = r["serving"]
    diff, agree = s["max_abs_diff"], s["int8_agreement"]
    labels = {
        "ann": f"ANN ({s['ann_dtype_policy']})",
        "cnn": f"CNN ({s['cnn_dtype_policy']})",
        "cnn_float32": "CNN (float32)",
    }
    largest = max(s["predict_ms"]["ann"], key=int)  # 10,000; 1,000 when quick
    peak = s["matmul_peak"]
    lines = [
        "Section (h) trains the default ANN and CNN for one epoch on "
        f"{s['n_train']:,} images, exports them with skl2onnx "
        "(`import skfashion.onnx`), makes an int8 copy of each export with "
        "`skfashion.onnx.quantize` (calibrated on 1,000 training images), and "
        "times each call, the candidates taking turns: 1 and 100 images in "
        "one process, the largest batch in another. "
        "The float32 graphs' largest difference from `predict_proba` on the "
        f"{s['n_test']:,} test images: "
        + ", ".join(f"{labels[k]} {diff[k]:.1e}" for k in labels)
        + " (Keras' own rounding where it computes in bfloat16). The int8 "
        "graphs' labels agree with `predict` on "
        + ", ".join(f"{100 * agree[k]:.2f}%" for k in labels)
        + " of them (largest probability difference "
        + ", ".join(f"{s['int8_max_abs_diff'][k]:.1e}" for k in labels)
        + ").",
        "",
        "| predict, median ms | onnxruntime float32 | onnxruntime int8 "
        "| estimator's predict | predict / float32 | predict / int8 "
        "| MLPClassifier | MLPClassifier in onnxruntime |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, label in labels.items():
        for n, row in s["predict_ms"][name].items():
            mlp = row.get("mlp")
            mlp_onnx = row.get("mlp_onnxruntime")
            images = "1 image" if n == "1" else f"{int(n):,} images"
            lines.append(
                f"| {label}, {images} | {row['onnxruntime']:.3f} "
                f"| {row['onnxruntime_int8']:.3f} | {row['predict']:.3f} "
                f"| {row['predict'] / row['onnxruntime']:.2f} "
                f"| {row['predict'] / row['onnxruntime_int8']:.2f} "
                f"| {'-' if mlp is None else f'{mlp:.3f}'} "
                f"| {'-' if mlp_onnx is None else f'{mlp_onnx:.3f}'} |"
            )

    def gflops(name, engine):
        ms = s["predict_ms"][name][largest][engine]
        return s["gflop_per_image"][name] * int(largest) / (ms / 1000)

    lines += [
        "",
        f"Arithmetic at {int(largest):,} images (the counted layers' FLOPs, "
        "both views where the CNN averages flips), against this run's "
        "matrix-multiply peak through TensorFlow: float32 "
        f"{peak['float32']:.0f} GFLOP/s, bfloat16 {peak['bfloat16']:.0f}.",
        "",
        "| GFLOP/s | onnxruntime float32 | onnxruntime int8 | estimator's predict |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, label in labels.items():
        lines.append(
            f"| {label} | {gflops(name, 'onnxruntime'):.0f} "
            f"| {gflops(name, 'onnxruntime_int8'):.0f} "
            f"| {gflops(name, 'predict'):.0f} |"
        )
    env = s.get("environments")
    if env:
        lines += [
            "",
            "Installed size: a fresh virtual environment with onnxruntime and "
            f"NumPy, {env['serving_mb']:.0f} MB; this training environment, "
            f"{env['training_mb']:.0f} MB "
            f"({env['training_mb'] / env['serving_mb']:.0f}x).",
        ]
    lines.append("")
    rows = s["predict_ms"]
    one_ann, one_cnn = rows["ann"]["1"], rows["cnn"]["1"]
    targets += [
        ("ANN, 1 image through onnxruntime >= 5x faster than "
         "MLPClassifier.predict",
         f"{one_ann['mlp'] / one_ann['onnxruntime']:.1f}x",
         one_ann["mlp"] >= 5 * one_ann["onnxruntime"]),
        ("CNN, 1 image through onnxruntime >= 4x faster than its predict "
         "(flip averaging included)",
         f"{one_cnn['predict'] / one_cnn['onnxruntime']:.1f}x",
         one_cnn["predict"] >= 4 * one_cnn["onnxruntime"]),
    ]  # fmt: skip
    # Large batches: Keras and onnxruntime both run float32 at the machine's
    # float32 peak, so the float32 graph's target is parity (within 10%, the
    # spread between runs); the int8 copy's target is Keras' throughput in
    # the default's own dtype policy (bfloat16 where "auto" chose it).
    for name in ("ann", "cnn_float32"):
        many = rows[name][largest]
        targets.append(
            (f"{labels[name]}, {int(largest):,} images through onnxruntime "
             "float32 at parity with Keras float32 (>= 0.9x its predict)",
             f"{many['predict'] / many['onnxruntime']:.2f}x",
             many["onnxruntime"] <= many["predict"] / 0.9)
        )  # fmt: skip
    for name in ("ann", "cnn"):
        many = rows[name][largest]
        targets += [
            (f"{labels[name]}, {int(largest):,} images through onnxruntime "
             "int8 at least at Keras' throughput (its predict)",
             f"{many['predict'] / many['onnxruntime_int8']:.2f}x",
             many["onnxruntime_int8"] <= many["predict"]),
            (f"{labels[name]}, int8 labels agree with predict on >= 99% of "
             "the test images",
             f"{100 * agree[name]:.2f}%",
             agree[name] >= 0.99),
        ]  # fmt: skip
    return lines


def main(argv=None):
    """Write the report of a results file: ``python benchmarks/report.py X.json``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("results", help="a JSON file written by run.py --json")
    parser.add_argument("--markdown", default=None, help="write it here")
    args = parser.parse_args(argv)
    with open(args.results) as f:
        text = markdown(json.load(f))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
