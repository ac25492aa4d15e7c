"""load_image_folder on real image files that Pillow writes to tmp_path."""

import io
import os
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PIL import Image
from sklearn.datasets import load_digits

from skfashion.datasets import ImageFolderError, _image_folder, load_image_folder

LOSSLESS = {"png": {}, "bmp": {}, "gif": {}, "tiff": {}, "webp": {"lossless": True}}


def _digit_pixels(n):
    bunch = load_digits()
    return (bunch.images[:n] * 16).clip(0, 255).astype(np.uint8), bunch.target[:n]


def _write(path, array, fmt=None, **kwargs):
    path.parent.mkdir(parents=True, exist_ok=True)
    image = array if isinstance(array, Image.Image) else Image.fromarray(array)
    image.save(path, format=fmt, **kwargs)


@pytest.fixture
def digit_folder(tmp_path):
    """60 of scikit-learn's 8x8 digits as grayscale files, in every lossless
    format, one subfolder per class."""
    pixels, target = _digit_pixels(60)
    formats = sorted(LOSSLESS)
    for i, (array, label) in enumerate(zip(pixels, target)):
        fmt = formats[i % len(formats)]
        _write(tmp_path / "digits" / str(label) / f"{i:03d}.{fmt}", array,
               **LOSSLESS[fmt])  # fmt: skip
    return tmp_path / "digits", pixels, target


def test_lossless_formats_round_trip_exactly(digit_folder):
    root, pixels, target = digit_folder
    bunch = load_image_folder(root, color_mode="grayscale")
    assert bunch.images.dtype == np.uint8 and bunch.images.shape == (60, 8, 8)
    assert_array_equal(bunch.target_names, [str(c) for c in range(10)])
    # Each file's pixels and class, whatever its format.
    for image, label, name in zip(bunch.images, bunch.target, bunch.filenames):
        i = int(os.path.basename(name).split(".")[0])
        assert_array_equal(image, pixels[i])
        assert bunch.target_names[label] == str(target[i])
    assert np.shares_memory(bunch.data, bunch.images)
    assert bunch.data.shape == (60, 64)
    assert "60 images of shape 8x8" in bunch.DESCR
    X, y = load_image_folder(root, color_mode="grayscale", return_X_y=True)
    assert_array_equal(X, bunch.data) and assert_array_equal(y, bunch.target)


def test_rgb_of_grayscale_files_repeats_the_channel(digit_folder):
    root, _, _ = digit_folder
    gray = load_image_folder(root, color_mode="grayscale").images
    rgb = load_image_folder(root).images  # "rgb" is the default, as in Keras
    assert rgb.shape == (60, 8, 8, 3)
    for channel in range(3):
        assert_array_equal(rgb[..., channel], gray)


def test_jpeg_exif_orientation_is_applied(tmp_path):
    # A 12 wide, 6 high image with a bright left half, stored with EXIF
    # orientation 6 (display rotated 90 degrees clockwise).
    array = np.zeros((6, 12, 3), np.uint8)
    array[:, :6] = 250
    exif = Image.Exif()
    exif[0x0112] = 6
    _write(tmp_path / "a" / "x" / "1.jpg", array, exif=exif, quality=100)
    (image,) = load_image_folder(tmp_path / "a").images
    assert image.shape == (12, 6, 3)  # as displayed: 6 wide, 12 high
    assert image[:6].mean() > 200 and image[6:].mean() < 50  # left is now top


def test_modes_are_converted(tmp_path):
    root = tmp_path / "modes"
    gradient = np.tile(np.arange(0, 256, 32, dtype=np.uint8), (8, 1))  # 8x8
    rgb = np.stack([gradient, 255 - gradient, np.full_like(gradient, 7)], -1)
    # 16-bit: scaled to 8 bits, not clipped at 255.
    _write(root / "c" / "16bit.png", gradient.astype(np.uint16) * 257)
    _write(root / "c" / "palette.png", Image.fromarray(rgb).quantize(8))
    rgba = np.concatenate([rgb, np.full((8, 8, 1), 10, np.uint8)], -1)
    _write(root / "c" / "rgba.png", rgba)  # alpha is dropped
    _write(root / "c" / "la.png", Image.fromarray(gradient).convert("LA"))
    _write(root / "c" / "cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), quality=100)
    bunch = load_image_folder(root)
    by_name = dict(zip((os.path.basename(f) for f in bunch.filenames), bunch.images))
    assert_array_equal(by_name["16bit.png"][..., 0], gradient)
    assert_array_equal(by_name["palette.png"], rgb)
    assert_array_equal(by_name["rgba.png"], rgb)
    assert_array_equal(by_name["la.png"][..., 1], gradient)
    assert np.abs(by_name["cmyk.jpg"].astype(int) - rgb).max() <= 8
    gray = load_image_folder(root, color_mode="grayscale")
    by_name = dict(zip((os.path.basename(f) for f in gray.filenames), gray.images))
    assert_array_equal(by_name["16bit.png"], gradient)
    assert gray.images.shape == (5, 8, 8)


def test_gif_gives_its_first_frame(tmp_path):
    frames = [Image.fromarray(np.full((5, 5), v, np.uint8)) for v in (40, 200)]
    path = tmp_path / "g" / "c" / "anim.gif"
    path.parent.mkdir(parents=True)
    frames[0].save(path, save_all=True, append_images=frames[1:])
    (image,) = load_image_folder(tmp_path / "g", color_mode="grayscale").images
    assert_array_equal(image, np.full((5, 5), 40))


@pytest.mark.parametrize("aspect_ratio", ["stretch", "crop", "pad"])
def test_image_size_and_the_aspect_ratio_rule(tmp_path, aspect_ratio):
    # 40 wide, 20 high: white, with a black band of 10 columns on each side.
    array = np.full((20, 40), 255, np.uint8)
    array[:, :10] = array[:, 30:] = 0
    _write(tmp_path / "r" / "c" / "wide.png", array)
    _write(tmp_path / "r" / "c" / "square.png", np.full((30, 30), 255, np.uint8))
    bunch = load_image_folder(
        tmp_path / "r", image_size=(10, 10), color_mode="grayscale",
        aspect_ratio=aspect_ratio,
    )  # fmt: skip
    square, wide = bunch.images  # sorted file names
    assert bunch.images.shape == (2, 10, 10)
    assert_array_equal(square, 255)
    if aspect_ratio == "crop":  # the centred 20x20: white (but for filtering)
        assert wide.min() > 200
    elif aspect_ratio == "pad":  # 10 wide, 5 high, centred: black above, below
        assert wide[:2].max() == 0 and wide[-2:].max() == 0
        assert wide[4:6, 4:6].min() == 255
    else:  # stretched: the bands keep a quarter of the width each
        assert wide[:, :2].max() < 30 and wide[:, 4:6].min() > 225


def test_sizes_that_differ_are_named(tmp_path):
    _write(tmp_path / "s" / "a" / "1.png", np.zeros((8, 8), np.uint8))
    _write(tmp_path / "s" / "b" / "2.png", np.zeros((9, 7), np.uint8))
    with pytest.raises(ImageFolderError, match="different sizes") as info:
        load_image_folder(tmp_path / "s")
    message = str(info.value)
    assert "1.png" in message and "8x8" in message
    assert "2.png" in message and "7x9" in message and "image_size" in message
    assert load_image_folder(tmp_path / "s", image_size=(8, 8)).images.shape == (
        2, 8, 8, 3,
    )  # fmt: skip


def test_hidden_files_and_folders_are_left_out(digit_folder):
    root, _, _ = digit_folder
    (root / "0" / ".DS_Store").write_bytes(b"\0junk")
    (root / ".cache").mkdir()
    _write(root / ".cache" / "x.png", np.zeros((3, 3), np.uint8))
    _write(root / "1" / ".thumbs" / "y.png", np.zeros((3, 3), np.uint8))
    bunch = load_image_folder(root, color_mode="grayscale")
    assert len(bunch.images) == 60 and len(bunch.target_names) == 10


def test_nested_folders_belong_to_their_class(tmp_path):
    _write(tmp_path / "n" / "cat" / "deep" / "er" / "1.png", np.zeros((4, 4), np.uint8))
    _write(tmp_path / "n" / "dog" / "2.png", np.ones((4, 4), np.uint8))
    bunch = load_image_folder(tmp_path / "n", color_mode="grayscale")
    assert_array_equal(bunch.target, [0, 1])
    assert_array_equal(bunch.target_names, ["cat", "dog"])


def test_an_unreadable_file_is_named_or_skipped_with_one_warning(digit_folder):
    root, _, _ = digit_folder
    (root / "3" / "notes.txt").write_text("not an image")
    broken = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(broken, format="PNG")
    (root / "5" / "broken.png").write_bytes(broken.getvalue()[:30])  # truncated
    with pytest.raises(ImageFolderError, match=r"notes\.txt.*on_error='skip'"):
        load_image_folder(root, color_mode="grayscale")
    with pytest.warns(UserWarning, match="skipped 2 of 62 files") as record:
        bunch = load_image_folder(root, color_mode="grayscale", on_error="skip")
    assert len(record) == 1
    assert "notes.txt" in str(record[0].message)
    assert "broken.png" in str(record[0].message)
    assert len(bunch.images) == len(bunch.filenames) == len(bunch.target) == 60
    assert not any(f.endswith(("notes.txt", "broken.png")) for f in bunch.filenames)
    assert "2 unreadable files were skipped" in bunch.DESCR


@pytest.mark.parametrize(
    "layout, error, match",
    [
        ("missing", FileNotFoundError, "No such folder"),
        ("file", NotADirectoryError, "is a file"),
        ("empty", ImageFolderError, "no class subfolders"),
        ("flat", ImageFolderError, "no class subfolders"),
        ("empty classes", ImageFolderError, "hold no files"),
        ("only junk", ImageFolderError, r"Cannot load .*junk\.bin"),
    ],
)
def test_bad_folders_are_clear_errors(tmp_path, layout, error, match):
    root = tmp_path / "root"
    if layout == "file":
        root.write_text("x")
    elif layout != "missing":
        root.mkdir()
    if layout == "flat":  # images, but not in class subfolders
        _write(root / "1.png", np.zeros((4, 4), np.uint8))
    if layout in ("empty classes", "only junk"):
        (root / "a").mkdir()
        (root / "b").mkdir()
    if layout == "only junk":
        (root / "b" / "junk.bin").write_bytes(b"\1\2\3")
    with pytest.raises(error, match=match):
        load_image_folder(root)


def test_only_junk_skipped_is_an_error(tmp_path):
    (tmp_path / "r" / "a").mkdir(parents=True)
    (tmp_path / "r" / "a" / "junk.bin").write_bytes(b"\1\2\3")
    with pytest.raises(ImageFolderError, match="No file under .* Pillow can read"):
        load_image_folder(tmp_path / "r", on_error="skip")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"image_size": (8,)}, "image_size must be"),
        ({"image_size": (8, 0)}, "image_size must be"),
        ({"color_mode": "rgba"}, "color_mode"),
        ({"aspect_ratio": "fit"}, "aspect_ratio"),
        ({"on_error": "ignore"}, "on_error"),
        ({"out": "x.npz"}, r"out must be a path ending in \.npy"),
    ],
)
def test_bad_parameters_are_clear_errors(digit_folder, params, match, tmp_path):
    root, _, _ = digit_folder
    if "out" in params:
        params = {"out": tmp_path / params["out"]}
    with pytest.raises(ValueError, match=match):
        load_image_folder(root, **params)


def test_out_decodes_into_a_npy_file(digit_folder, tmp_path):
    root, pixels, _ = digit_folder
    out = tmp_path / "digits.npy"
    bunch = load_image_folder(root, color_mode="grayscale", out=out)
    assert isinstance(bunch.images, np.memmap) and not bunch.images.flags.writeable
    in_memory = load_image_folder(root, color_mode="grayscale")
    assert_array_equal(np.load(out), in_memory.images)
    assert_array_equal(bunch.data, in_memory.data)
    assert str(out) in bunch.DESCR
    # Nothing but the file itself is left in the folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits", "digits.npy"]


def test_out_with_skipped_files_keeps_only_the_images(digit_folder, tmp_path):
    root, _, _ = digit_folder
    (root / "0" / "a.txt").write_text("x")
    out = tmp_path / "d.npy"
    with pytest.warns(UserWarning, match="skipped 1"):
        bunch = load_image_folder(root, out=out, on_error="skip")
    assert np.load(out, mmap_mode="r").shape == (60, 8, 8, 3) == bunch.images.shape


def test_a_failed_load_leaves_no_file(digit_folder, tmp_path):
    root, _, _ = digit_folder
    out = tmp_path / "d.npy"
    out.write_bytes(b"an older file")
    (root / "9" / "zz.txt").write_text("x")  # the last file: fails at the end
    with pytest.raises(ImageFolderError, match="zz.txt"):
        load_image_folder(root, out=out)
    assert out.read_bytes() == b"an older file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npy", "digits"]


def test_many_files_show_a_progress_bar(digit_folder, monkeypatch, capsys):
    root, _, _ = digit_folder
    monkeypatch.setattr(_image_folder, "_PROGRESS_MIN_FILES", 50)
    monkeypatch.setattr(_image_folder, "_CHUNK", 16)
    load_image_folder(root, color_mode="grayscale")
    assert "60/60" in capsys.readouterr().out
    load_image_folder(root, color_mode="grayscale", verbose=0)
    assert capsys.readouterr().out == ""


def test_threads_give_the_serial_result(digit_folder, monkeypatch):
    root, _, _ = digit_folder
    monkeypatch.setattr(_image_folder, "_CHUNK", 4)
    serial = load_image_folder(root, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        threaded = load_image_folder(root, n_jobs=4)
    assert_array_equal(serial.images, threaded.images)
    assert_array_equal(serial.filenames, threaded.filenames)


def test_a_file_under_another_format_s_name_still_loads(tmp_path):
    # The extension is tried first, then every format Pillow knows.
    _write(tmp_path / "m" / "c" / "really_png.jpg", np.full((4, 4), 9, np.uint8), "PNG")
    (image,) = load_image_folder(tmp_path / "m", color_mode="grayscale").images
    assert_array_equal(image, 9)
