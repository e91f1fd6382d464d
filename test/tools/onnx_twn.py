#!/usr/bin/env python3
"""Independent TWN reference for ONNX models (Python 3 standard library only).

Decodes an ONNX ModelProto with a minimal protobuf wire-format reader written from
the protobuf encoding spec and onnx.proto's field numbers (no Tritscope code), then
ternarizes weight initializers per the seed paper Eq. 2-3 (Li et al. 2016, TWN):

    Delta = 0.7 * E(|W|)                       (Eq. 3)
    alpha = mean of |W_i| over |W_i| > Delta   (Eq. 3)
    trit  = +1 if W > Delta, -1 if W < -Delta, 0 if |W| <= Delta   (Eq. 2, ties -> 0)

usage: onnx_twn.py MODEL.onnx [--factor F] [--init NAME ...]

Without --init, ternarizes the weight input (input 1) of every Conv, Gemm and MatMul
node that names an initializer. Prints one JSON object:
  {"file", "initializers": {name: {dims, data_type}},
   "layers": [{node, op_type, initializer, count, delta, alpha, neg, zero, pos, near_ties}]}
near_ties counts weights with ||W| - Delta| <= 1e-6 * Delta: on those an implementation
that rounds Delta differently (float32 vs float64, summation order) may disagree.
Exits 1 with a message on stderr when the file is not a decodable ONNX model.
"""
import json
import math
import struct
import sys

# Protobuf wire types (protobuf encoding spec).
VARINT, FIXED64, LEN, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5

# onnx.proto field numbers.
MODEL_GRAPH = 7
GRAPH_NODE, GRAPH_NAME, GRAPH_INITIALIZER = 1, 2, 5
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE = 1, 2, 3, 4
TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_FLOAT_DATA, TENSOR_NAME = 1, 2, 4, 8
TENSOR_RAW_DATA, TENSOR_DOUBLE_DATA, TENSOR_DATA_LOCATION = 9, 10, 14

# TensorProto.DataType values this tool reads.
DT_FLOAT, DT_DOUBLE = 1, 11

WEIGHT_OPS = ("Conv", "Gemm", "MatMul")
NEAR_TIE_REL = 1e-6


class DecodeError(Exception):
    pass


def read_varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint at byte %d" % pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint longer than 10 bytes at byte %d" % pos)


def fields(buf):
    """Yields (field_number, wire_type, value) of one message; LEN values are bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise DecodeError("field number 0 at byte %d" % pos)
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == FIXED64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == FIXED32:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == LEN:
            n, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        else:
            raise DecodeError("unsupported wire type %d (field %d)" % (wire, number))
        if pos > len(buf):
            raise DecodeError("field %d runs past the end of its message" % number)
        yield number, wire, value


def signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def packed_varints(wire, value):
    """Repeated int fields arrive either packed (one LEN record) or one varint per record."""
    if wire == VARINT:
        return [signed64(value)]
    out, pos = [], 0
    while pos < len(value):
        v, pos = read_varint(value, pos)
        out.append(signed64(v))
    return out


def fixed_values(wire, value, fmt, size, single_wire):
    if wire == single_wire:
        return list(struct.unpack("<" + fmt, value))
    if wire != LEN or len(value) % size:
        raise DecodeError("malformed packed %s field" % fmt)
    return list(struct.unpack("<%d%s" % (len(value) // size, fmt), value))


def decode_tensor(buf):
    t = {"name": "", "dims": [], "data_type": 0, "raw": None, "float_data": [], "double_data": [], "external": False}
    for number, wire, value in fields(buf):
        if number == TENSOR_DIMS:
            t["dims"] += packed_varints(wire, value)
        elif number == TENSOR_DATA_TYPE:
            t["data_type"] = value
        elif number == TENSOR_NAME:
            t["name"] = value.decode("utf-8")
        elif number == TENSOR_RAW_DATA:
            t["raw"] = value
        elif number == TENSOR_FLOAT_DATA:
            t["float_data"] += fixed_values(wire, value, "f", 4, FIXED32)
        elif number == TENSOR_DOUBLE_DATA:
            t["double_data"] += fixed_values(wire, value, "d", 8, FIXED64)
        elif number == TENSOR_DATA_LOCATION and value == 1:
            t["external"] = True
    return t


def tensor_values(t):
    """Float values of a FLOAT/DOUBLE tensor (little-endian raw_data or the typed field)."""
    count = 1
    for d in t["dims"]:
        count *= d
    if t["external"]:
        raise DecodeError("initializer %r: external data is not supported" % t["name"])
    if t["data_type"] == DT_FLOAT:
        if t["raw"] is not None:
            if len(t["raw"]) != 4 * count:
                raise DecodeError("initializer %r: raw_data has %d bytes, expected %d" % (t["name"], len(t["raw"]), 4 * count))
            return list(struct.unpack("<%df" % count, t["raw"]))
        values = t["float_data"]
    elif t["data_type"] == DT_DOUBLE:
        values = list(struct.unpack("<%dd" % count, t["raw"])) if t["raw"] is not None else t["double_data"]
    else:
        raise DecodeError("initializer %r: data_type %d is not FLOAT or DOUBLE" % (t["name"], t["data_type"]))
    if len(values) != count:
        raise DecodeError("initializer %r: %d values, dims %s need %d" % (t["name"], len(values), t["dims"], count))
    return values


def decode_node(buf):
    node = {"inputs": [], "outputs": [], "name": "", "op_type": ""}
    for number, wire, value in fields(buf):
        if number == NODE_INPUT:
            node["inputs"].append(value.decode("utf-8"))
        elif number == NODE_OUTPUT:
            node["outputs"].append(value.decode("utf-8"))
        elif number == NODE_NAME:
            node["name"] = value.decode("utf-8")
        elif number == NODE_OP_TYPE:
            node["op_type"] = value.decode("utf-8")
    return node


def decode_model(blob):
    graph = None
    for number, wire, value in fields(blob):
        if number == MODEL_GRAPH and wire == LEN:
            graph = value
    if graph is None:
        raise DecodeError("ModelProto has no graph (field 7)")
    nodes, inits = [], {}
    for number, wire, value in fields(graph):
        if number == GRAPH_NODE:
            nodes.append(decode_node(value))
        elif number == GRAPH_INITIALIZER:
            t = decode_tensor(value)
            inits[t["name"]] = t
    return nodes, inits


def twn(values, factor):
    """Seed paper Eq. 2-3. math.fsum gives the exactly rounded sum, independent of order."""
    n = len(values)
    delta = factor * math.fsum(abs(v) for v in values) / n
    kept = [abs(v) for v in values if abs(v) > delta]
    alpha = math.fsum(kept) / len(kept) if kept else 0.0
    pos = sum(1 for v in values if v > delta)
    neg = sum(1 for v in values if v < -delta)
    near = sum(1 for v in values if abs(abs(v) - delta) <= NEAR_TIE_REL * delta)
    return {"count": n, "delta": delta, "alpha": alpha, "neg": neg, "zero": n - pos - neg, "pos": pos, "near_ties": near}


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    path, factor, names = args[0], 0.7, None
    i = 1
    while i < len(args):
        if args[i] == "--factor" and i + 1 < len(args):
            factor = float(args[i + 1])
            i += 2
        elif args[i] == "--init":
            names = names or []
            i += 1
            while i < len(args) and not args[i].startswith("--"):
                names.append(args[i])
                i += 1
        else:
            sys.stderr.write("unknown argument %r\n" % args[i])
            return 2
    try:
        with open(path, "rb") as f:
            nodes, inits = decode_model(f.read())
        if names is None:
            targets = [(n["name"], n["op_type"], n["inputs"][1]) for n in nodes
                       if n["op_type"] in WEIGHT_OPS and len(n["inputs"]) > 1 and n["inputs"][1] in inits]
        else:
            missing = [n for n in names if n not in inits]
            if missing:
                raise DecodeError("no initializer named %s" % ", ".join(missing))
            targets = [(None, None, n) for n in names]
        layers = []
        for node, op, init in targets:
            row = {"node": node, "op_type": op, "initializer": init}
            row.update(twn(tensor_values(inits[init]), factor))
            layers.append(row)
    except (DecodeError, OSError, UnicodeDecodeError, struct.error) as e:
        sys.stderr.write("%s: %s\n" % (path, e))
        return 1
    report = {
        "file": path,
        "factor": factor,
        "initializers": {k: {"dims": v["dims"], "data_type": v["data_type"]} for k, v in inits.items()},
        "layers": layers,
    }
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
