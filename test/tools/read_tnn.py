#!/usr/bin/env python3
"""Independent reader of Tritscope .tnn files, written from docs/tnn-format.md only
(Python 3 standard library, no Tritscope code). Cross-checks the TypeScript writer.

usage: read_tnn.py FILE [--values]

Prints one JSON object: tensor names, dtypes, stored and logical shapes, trit
counts {neg, zero, pos} of packed tensors, optional float values, checksum_ok,
header_checksum_ok (null when the file has no header_checksum, §2.2),
and per layer with ternary weights or activations its op, weights and the
weightQuant / actQuant objects of the graph (Python cross-checks compare them).
Exits 1 with a message on stderr when the file violates the layout.
"""
import hashlib
import json
import math
import struct
import sys

DTYPE_SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4,
               "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
HEADER_CAP = 100_000_000


SEMANTIC_KEYS = ["format", "tnn_version", "graph", "provenance", "layer_stats", "trit_tensors", "latent_tensors"]


class FormatViolation(Exception):
    pass


def header_checksum(meta, header):
    """docs/tnn-format.md section 2.2: netstring-like lines over the stored strings and the tensor table."""
    h = hashlib.sha256()
    for key in SEMANTIC_KEYS:
        if key in meta:
            value = meta[key].encode("utf-8")
            h.update(b"%s:%d:" % (key.encode(), len(value)) + value + b"\n")
    rows = sorted((info["data_offsets"][0], info["data_offsets"][1], name.encode("utf-8"), info)
                  for name, info in header.items())
    for begin, end, name, info in rows:
        shape = ",".join(str(d) for d in info["shape"])
        h.update(b"%d:" % len(name) + name + (" %s %s %d %d\n" % (info["dtype"], shape, begin, end)).encode())
    return "sha256:" + h.hexdigest()


def product(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def unpack_trits(data, count):
    """Spec section 3: trit k is base-3 digit (k mod 5), least significant first,
    of byte k // 5; digit d encodes trit d - 1; padding digits must be 1."""
    if len(data) != (count + 4) // 5:
        raise FormatViolation("packed length %d != ceil(%d/5)" % (len(data), count))
    trits = []
    for j, byte in enumerate(data):
        if byte >= 243:
            raise FormatViolation("byte %d is %d (>= 243)" % (j, byte))
        rest = byte
        for i in range(5):
            digit = rest % 3
            rest //= 3
            k = 5 * j + i
            if k < count:
                trits.append(digit - 1)
            elif digit != 1:
                raise FormatViolation("padding digit %d of byte %d is %d, expected 1" % (i, j, digit))
    return trits


def json_float(x):
    # JSON has no NaN/Infinity literals; spell them as strings.
    return x if math.isfinite(x) else str(x)


def read(path, with_values):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise FormatViolation("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > HEADER_CAP or 8 + n > len(blob):
        raise FormatViolation("header length %d out of range" % n)
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise FormatViolation("header is not a JSON object")
    data = blob[8 + n:]
    meta = header.pop("__metadata__", None)
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise FormatViolation("__metadata__ missing or not string -> string")
    if meta.get("format") != "tnn":
        raise FormatViolation("not a Tritscope .tnn file (Tencent TNN uses the same extension)")
    if meta.get("tnn_version") != "1":
        raise FormatViolation("unsupported tnn_version %r" % meta.get("tnn_version"))

    # Offsets must tile the data region exactly (sorted by begin).
    spans = []
    for name, info in header.items():
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPE_SIZES:
            raise FormatViolation("%s: unknown dtype %s" % (name, dtype))
        if not (0 <= begin <= end <= len(data)):
            raise FormatViolation("%s: data_offsets out of range" % name)
        if end - begin != product(shape) * DTYPE_SIZES[dtype]:
            raise FormatViolation("%s: span does not match shape x dtype" % name)
        spans.append((begin, end, name))
    cursor = 0
    for begin, end, name in sorted(spans):
        if begin != cursor:
            raise FormatViolation("%s: gap or overlap at %d" % (name, begin))
        cursor = end
    if cursor != len(data):
        raise FormatViolation("data region has %d undescribed trailing bytes" % (len(data) - cursor))

    trit_tensors = json.loads(meta["trit_tensors"])
    latent = set(json.loads(meta["latent_tensors"]))
    tensors = {}
    for begin, end, name in sorted(spans):
        info = header[name]
        payload = data[begin:end]
        entry = {"dtype": info["dtype"], "stored_shape": info["shape"], "offset": 8 + n + begin, "latent": name in latent}
        if name in trit_tensors:
            spec = trit_tensors[name]
            if info["dtype"] != "U8" or product(spec["shape"]) != spec["count"]:
                raise FormatViolation("%s: packed tensor dtype/count inconsistent" % name)
            trits = unpack_trits(payload, spec["count"])
            entry["shape"] = spec["shape"]
            entry["trits"] = {"neg": trits.count(-1), "zero": trits.count(0), "pos": trits.count(1)}
            if with_values:
                entry["values"] = trits
        else:
            entry["shape"] = info["shape"]
            if info["dtype"] == "F32" and with_values:
                count = len(payload) // 4
                entry["values"] = [json_float(v) for v in struct.unpack("<%df" % count, payload)]
        tensors[name] = entry

    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    stored_header_checksum = meta.get("header_checksum")
    graph = json.loads(meta["graph"])
    return {
        "file": path,
        "header_length": n,
        "data_length": len(data),
        "graph_name": graph.get("name"),
        "layers": [layer.get("name") for layer in graph.get("layers", [])],
        "quant": {layer.get("name"): {k: layer.get(k) for k in ("op", "weights", "weightQuant", "actQuant") if k in layer}
                  for layer in graph.get("layers", []) if "weightQuant" in layer or "actQuant" in layer},
        "tensors": tensors,
        "checksum": meta.get("checksum"),
        "checksum_ok": checksum == meta.get("checksum"),
        "header_checksum_ok": None if stored_header_checksum is None else header_checksum(meta, header) == stored_header_checksum,
    }


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.stderr.write(__doc__)
        return 2
    try:
        result = read(args[0], "--values" in argv)
    except (FormatViolation, KeyError, TypeError, ValueError) as e:
        sys.stderr.write("%s: %s\n" % (args[0], e))
        return 1
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0 if result["checksum_ok"] and result["header_checksum_ok"] is not False else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
