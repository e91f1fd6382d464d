"""Atomic file writes and a minimal safetensors writer (the sidecar and `.tnn` are safetensors files)."""
import json
import os
import tempfile

import numpy as np

_DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.int8): "I8", np.dtype(np.uint8): "U8", np.dtype(np.int64): "I64"}


def atomic_write(path, data):
    """Writes `data` to a temp file in the target's folder, fsyncs, renames over `path`; removes the temp on failure."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def safetensors_bytes(tensors, metadata):
    """tensors: ordered {name: numpy array}; metadata: {str: str}. Header padded with spaces to 8 bytes."""
    header, blobs, offset = {"__metadata__": dict(metadata)}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in _DTYPES:
            raise TypeError("safetensors: tensor %r has unsupported dtype %s" % (name, arr.dtype))
        b = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    return len(h).to_bytes(8, "little") + h + b"".join(blobs)
