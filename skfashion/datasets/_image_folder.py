# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""load_image_folder: a folder of image files, one subfolder per class."""

import contextlib
import os
import secrets
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["ImageFolderError", "load_image_folder"]

# Files decoded per task of the thread pool: large enough that Python's
# bookkeeping is small beside the decoding, small enough to share the work.
_CHUNK = 256
# The EXIF tag of a photo's orientation.
_ORIENTATION = 0x0112
# Loads of at least this many files show a progress bar (with verbose=1).
_PROGRESS_MIN_FILES = 10_000


class ImageFolderError(ValueError):
    """A folder or a file that :func:`load_image_folder` cannot load."""


def _class_folders(root):
    """The class subfolders of ``root``, sorted by name, hidden ones left out."""
    if not root.exists():
        raise FileNotFoundError(f"No such folder: {str(root)!r}.")
    if not root.is_dir():
        raise NotADirectoryError(
            f"{str(root)!r} is a file; load_image_folder takes a folder with one "
            "subfolder of images per class."
        )
    folders = sorted(
        entry for entry in root.iterdir() if entry.is_dir() and not _hidden(entry)
    )
    if not folders:
        raise ImageFolderError(
            f"{str(root)!r} has no class subfolders: put the images of each class "
            "in a subfolder named after the class (root/cat/1.png, "
            "root/dog/2.png, ...)."
        )
    return folders


def _hidden(path):
    return path.name.startswith(".")


def _files(folder):
    """The files under ``folder``, recursively, sorted; hidden ones left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(
            os.path.join(dirpath, name)
            for name in sorted(filenames)
            if not name.startswith(".")
        )
    return found


def _to_8_bits(image, Image):
    """16- and 32-bit integer and float images as 8-bit grayscale ("L")."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # PNG and TIFF store 16 bits a sample; Pillow reads them as "I;16" or
        # "I". convert("L") would clip at 255 instead of scaling.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max(initial=0) > 255 or "16" in image.mode else 255.0
        values = np.rint(np.clip(values, 0, top) * (255.0 / top))
        return Image.fromarray(values.astype(np.uint8), mode="L")
    if image.mode == "F":
        values = np.rint(np.clip(np.asarray(image), 0, 255))
        return Image.fromarray(values.astype(np.uint8), mode="L")
    return image


def _open(path, Image, extensions):
    """``Image.open``, trying the format the file's extension names first
    (Pillow otherwise asks each of its formats in turn), then every one."""
    fmt = extensions.get(os.path.splitext(path)[1].lower())
    if fmt is not None:
        try:
            return Image.open(path, formats=(fmt,))
        except Image.UnidentifiedImageError:
            pass  # another format under that name
    return Image.open(path)


def _decode(path, mode, size, aspect_ratio, Image, ImageOps, extensions):
    """One file as a uint8 array of ``mode`` ("L" or "RGB"), resized to
    ``size`` ((width, height), Pillow's order) if given."""
    with _open(path, Image, extensions) as image:
        if size is not None and image.format == "JPEG":
            image.draft(mode, size)  # decode a JPEG at a smaller scale
        if image.getexif().get(_ORIENTATION, 1) != 1:  # cheaper than always
            image = ImageOps.exif_transpose(image)
        image = _to_8_bits(image, Image)
        if image.mode != mode:
            if image.mode == "P" and "transparency" in image.info:
                image = image.convert("RGBA")  # Pillow's advice for palettes
            image = image.convert(mode)
        if size is not None and image.size != size:
            resample = Image.Resampling.BILINEAR
            if aspect_ratio == "crop":
                image = ImageOps.fit(image, size, method=resample)
            elif aspect_ratio == "pad":
                image = ImageOps.pad(image, size, method=resample, color=0)
            else:
                image = image.resize(size, resample=resample)
        return np.asarray(image)


def _decode_or_error(path, *args):
    """``(array, None)``, or ``(None, reason)`` for a file that cannot be read."""
    from PIL import UnidentifiedImageError

    try:
        return _decode(path, *args), None
    except UnidentifiedImageError:
        return None, "not an image Pillow can read"
    except (OSError, ValueError, SyntaxError) as exc:  # truncated or corrupt
        return None, f"{type(exc).__name__}: {exc}"


def _open_output(out, shape):
    """The array to decode into: in memory, or a new .npy file beside ``out``."""
    if out is None:
        return np.empty(shape, dtype=np.uint8), None
    out = Path(out)
    if out.suffix != ".npy":
        raise ValueError(f"out must be a path ending in .npy, got {str(out)!r}.")
    if not out.parent.is_dir():
        raise FileNotFoundError(
            f"The folder of out, {str(out.parent)!r}, does not exist."
        )
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    array = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=shape)
    return array, tmp


_PARAMS = {
    "path": [str, os.PathLike],
    "image_size": [tuple, list, None],
    "color_mode": [StrOptions({"grayscale", "rgb"})],
    "aspect_ratio": [StrOptions({"stretch", "crop", "pad"})],
    "on_error": [StrOptions({"raise", "skip"})],
    "out": [str, os.PathLike, None],
    "n_jobs": [Interval(Integral, 1, None, closed="left"), None],
    "verbose": ["verbose"],
    "return_X_y": ["boolean"],
}


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def load_image_folder(path, *, image_size=None, color_mode="rgb",
                      aspect_ratio="stretch", on_error="raise", out=None,
                      n_jobs=1, verbose=1, return_X_y=False):  # fmt: skip
    """Load a folder of image files, one subfolder per class.

    The layout is the one Keras' ``image_dataset_from_directory`` reads::

        path/
            cat/  1.png  2.jpg  ...
            dog/  a.png  b/c.webp  ...

    Each subfolder of ``path`` is a class, in sorted order (``target_names``);
    its files, in its own subfolders too, are the class's images. Files and
    folders whose names start with "." are left out, and so are files at the
    top of ``path``. Every format Pillow reads is taken (PNG, JPEG, BMP, GIF's
    first frame, TIFF, WebP, ...), with the EXIF orientation applied; palette,
    16-bit, alpha and CMYK images are converted to ``color_mode`` (the alpha
    channel is dropped; 16-bit samples are scaled to 8 bits). The pixels are
    returned as they are, uint8 in [0, 255]: scale them with
    :class:`~skfashion.ImagePreprocessor`, or inside the network with the
    classifiers' ``rescale=1/255``.

    Parameters
    ----------
    path : str or path-like
        The folder.

    image_size : (height, width) or None, default=None
        Resize every image to this size (bilinear), as Keras' loader does
        (note the order: height first, as in array shapes). How an image of
        another aspect ratio is fitted is ``aspect_ratio``'s. None keeps the
        images as they are; they must then all have one size, and the first
        two files of different sizes are named in the error.

    color_mode : {"rgb", "grayscale"}, default="rgb"
        "rgb" gives ``images`` of shape (n, height, width, 3); "grayscale"
        (n, height, width), converted with Pillow's ITU-R 601-2 luma.

    aspect_ratio : {"stretch", "crop", "pad"}, default="stretch"
        With ``image_size``, for an image whose width/height ratio is not
        the target's: "stretch" resizes it to the target, distorting it;
        "crop" crops the centred region of the target's ratio, then resizes
        (Keras' ``crop_to_aspect_ratio``); "pad" resizes it to fit inside the
        target and pads the rest, centred, with black (Keras'
        ``pad_to_aspect_ratio``).

    on_error : {"raise", "skip"}, default="raise"
        What to do with a file that is not an image Pillow can read, or is
        truncated: "raise" raises an :class:`ImageFolderError` that names it;
        "skip" leaves it out, with one warning listing every file skipped.

    out : str, path-like or None, default=None
        Decode into this ``.npy`` file instead of memory, for folders larger
        than memory: ``images`` and ``data`` are then read-only memory maps
        of it (``np.load(out, mmap_mode="r")`` opens it again). The file
        appears only when the load succeeds, replacing any file of that
        name; a failed load leaves nothing behind.

    n_jobs : int or None, default=1
        Threads that decode; None uses as many as the machine has CPUs, at
        most 8. Pillow releases the GIL while it decodes, but for images of
        up to 128x128 pixels Python's own work per file dominates, and on 2
        cores 2 threads were slower than one (the Performance page).

    verbose : int, default=1
        1 shows a Keras progress bar on loads of 10,000 files or more; 0
        shows nothing.

    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        data : ndarray of shape (n_samples, height * width * channels), uint8
            The images, flattened (a view of ``images``).
        images : ndarray of shape (n_samples, height, width[, 3]), uint8
            The images, grayscale without a channel axis.
        target : ndarray of shape (n_samples,), int64
            The class of each image, as an index into ``target_names``.
        target_names : ndarray of str
            The class subfolders' names, sorted.
        filenames : ndarray of str
            The path of each image.
        DESCR : str
            A description of the folder and of the load.

    (data, target) : tuple if ``return_X_y`` is True
        The flat images and their classes.

    Raises
    ------
    FileNotFoundError, NotADirectoryError
        ``path`` is missing or a file.
    ImageFolderError
        No class subfolders, no files in them, a file that cannot be read
        (``on_error="raise"``), or images of different sizes without
        ``image_size``.

    See Also
    --------
    sklearn.datasets.load_files : The same layout, for text files.

    Examples
    --------
    >>> from skfashion.datasets import load_image_folder
    >>> bunch = load_image_folder("photos", image_size=(64, 64))  # doctest: +SKIP
    >>> bunch.images.shape, bunch.target_names  # doctest: +SKIP
    ((120, 64, 64, 3), array(['cat', 'dog'], dtype='<U3'))
    """
    from PIL import Image, ImageOps

    root = Path(path)
    size = _check_size(image_size)
    folders = _class_folders(root)
    files, target = [], []
    for label, folder in enumerate(folders):
        found = _files(folder)
        files.extend(found)
        target.extend([label] * len(found))
    if not files:
        raise ImageFolderError(
            f"The class subfolders of {str(root)!r} "
            f"({', '.join(f.name for f in folders)}) hold no files."
        )
    mode = "L" if color_mode == "grayscale" else "RGB"
    extensions = Image.registered_extensions()  # {".png": "PNG", ...}
    decode_args = (mode, size, aspect_ratio, Image, ImageOps, extensions)
    # The first readable image fixes the shape of every image.
    skipped = []
    first = 0
    while True:
        array, reason = _decode_or_error(files[first], *decode_args)
        if array is not None:
            break
        _unreadable(files[first], reason, on_error, skipped)
        first += 1
        if first == len(files):
            raise ImageFolderError(
                f"No file under {str(root)!r} is an image Pillow can read "
                f"({len(files)} files skipped)."
            )
    images, tmp = _open_output(out, (len(files), *array.shape))
    try:
        images[0] = array
        keep = np.zeros(len(files), dtype=bool)
        keep[first] = True
        _decode_all(
            files, first, images, keep, decode_args,
            on_error=on_error, skipped=skipped, n_jobs=n_jobs, verbose=verbose,
        )  # fmt: skip
        kept = int(keep.sum())
        if tmp is not None:
            images.flush()
            del images
            _finish_file(tmp, Path(out), keep, kept)
            images = np.load(out, mmap_mode="r")
        else:
            images = images[:kept]  # the rows were filled in order
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    if skipped:
        warnings.warn(
            f"load_image_folder skipped {len(skipped)} of {len(files)} files that "
            "are not images it can read:\n" + "\n".join(skipped),
            UserWarning,
            stacklevel=2,
        )
    filenames = np.asarray(files)[keep]
    target = np.asarray(target, dtype=np.int64)[keep]
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    target_names = np.asarray([f.name for f in folders])
    return Bunch(
        data=data,
        images=images,
        target=target,
        target_names=target_names,
        filenames=filenames,
        DESCR=_describe(root, images, target_names, target, len(skipped), out),
    )


def _check_size(image_size):
    """``image_size`` as Pillow's (width, height), or None."""
    if image_size is None:
        return None
    valid = len(image_size) == 2 and all(
        isinstance(s, Integral) and not isinstance(s, bool) and s > 0
        for s in image_size
    )
    if not valid:
        raise ValueError(
            "image_size must be (height, width), two positive integers; got "
            f"{image_size!r}."
        )
    height, width = image_size
    return (int(width), int(height))


def _unreadable(path, reason, on_error, skipped):
    if on_error == "raise":
        raise ImageFolderError(
            f"Cannot load {path!r}: {reason}. Remove it, or pass on_error='skip' "
            "to leave such files out with a warning."
        )
    skipped.append(f"  {path}: {reason}")


def _decode_all(files, first, images, keep, decode_args, *, on_error, skipped,
                n_jobs, verbose):  # fmt: skip
    """Decode ``files[first + 1:]`` into ``images``, in order, in threads.

    Row ``i`` of ``images`` receives the i-th readable file, so skipped files
    leave no gap; ``keep`` marks the files kept.
    """
    expected = images.shape[1:]
    todo = range(first + 1, len(files))
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    n_jobs = n_jobs or min(os.cpu_count() or 1, 8)
    progress = None
    if verbose and len(files) >= _PROGRESS_MIN_FILES:
        from keras.utils import Progbar

        progress = Progbar(len(files), unit_name="file")
        progress.update(first + 1)

    def decode(chunk):
        return [_decode_or_error(files[i], *decode_args) for i in chunk]

    row = 1
    with contextlib.ExitStack() as stack:
        if n_jobs == 1:  # no thread: each hand-over of the GIL costs time
            decoded = map(decode, chunks)
        else:
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=n_jobs))
            decoded = pool.map(decode, chunks)
        for chunk, results in zip(chunks, decoded):
            for i, (array, reason) in zip(chunk, results):
                if array is None:
                    _unreadable(files[i], reason, on_error, skipped)
                    continue
                if array.shape != expected:
                    raise ImageFolderError(
                        _size_message(files, keep, i, array, expected)
                    )
                images[row] = array
                keep[i] = True
                row += 1
            if progress is not None:
                progress.update(chunk[-1] + 1)


def _size_message(files, keep, i, array, expected):
    reference = files[int(np.argmax(keep))]  # the first image kept
    return (
        f"Images of different sizes: {files[i]!r} is {_size(array.shape)} but "
        f"{reference!r} is {_size(expected)} (width x height). Pass "
        "image_size=(height, width) to resize them all to one size."
    )


def _size(shape):
    return f"{shape[1]}x{shape[0]}"


def _finish_file(tmp, out, keep, kept):
    """Give the .npy file its final rows and name (skipped files leave the
    last rows unused: the file is rewritten with ``kept`` rows)."""
    if kept < len(keep):
        full = np.load(tmp, mmap_mode="r")
        part = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
        try:
            trimmed = np.lib.format.open_memmap(
                part, mode="w+", dtype=np.uint8, shape=(kept, *full.shape[1:])
            )
            for start in range(0, kept, 4096):
                stop = min(start + 4096, kept)
                trimmed[start:stop] = full[start:stop]
            trimmed.flush()
            del trimmed, full
            os.replace(part, tmp)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(part)
            raise
    os.replace(tmp, out)


def _describe(root, images, target_names, target, n_skipped, out):
    counts = np.bincount(target, minlength=len(target_names))
    shape = "x".join(str(s) for s in images.shape[1:])
    lines = [
        f"Images loaded from {str(root)!r} by skfashion.datasets.load_image_folder.",
        "",
        f"{len(images)} images of shape {shape} (height x width[ x channels]), "
        f"uint8, in {len(target_names)} classes:",
        *(f"  {name}: {count}" for name, count in zip(target_names, counts)),
    ]
    if n_skipped:
        lines.append(f"{n_skipped} unreadable files were skipped.")
    if out is not None:
        lines.append(f"Decoded into {str(out)!r} (a read-only memory map).")
    return "\n".join(lines) + "\n"
