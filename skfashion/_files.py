# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Files written whole or not at all."""

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path, data):
    """Write ``data`` to ``path`` so that the file is either the old or the new.

    The bytes go to a new temporary file in the same folder, which is flushed,
    fsynced and then renamed over ``path`` with :func:`os.replace`. If
    anything fails or is interrupted (a full disk, a KeyboardInterrupt), the
    temporary file is removed and a file already at ``path`` is left as it
    was. A new file gets the permissions ``Path.write_bytes`` would give it
    (0o666 less the umask); a replaced one keeps its own.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    data : bytes
        Its new contents.
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder):
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
