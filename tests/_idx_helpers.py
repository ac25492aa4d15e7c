"""Helpers that write small IDX files and serve them over local HTTP."""

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np

_TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(">i2"): 0x0B,
    np.dtype(">i4"): 0x0C,
    np.dtype(">f4"): 0x0D,
    np.dtype(">f8"): 0x0E,
}


def idx_bytes(array):
    """Encode ``array`` as IDX bytes (big-endian, as the format requires)."""
    array = np.asarray(array)
    big = array.dtype.newbyteorder(">") if array.dtype.itemsize > 1 else array.dtype
    code = _TYPE_CODES[np.dtype(big)]
    header = bytes([0, 0, code, array.ndim])
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(big).tobytes()


def write_idx(path, array, *, compress=True):
    data = idx_bytes(array)
    if compress:
        data = gzip.compress(data, mtime=0)
    Path(path).write_bytes(data)
    return Path(path)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 serving a folder.

    ``truncate`` names files sent with their full Content-Length but only half
    of their bytes, to simulate a dropped connection. Unknown files get a 404.
    """

    def __init__(self, root):
        self.root = Path(root)
        self.truncate = set()
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                name = self.path.lstrip("/")
                server.requests.append(name)
                path = server.root / name
                if not path.is_file():
                    self.send_error(404, "Not Found")
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if name in server.truncate:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
