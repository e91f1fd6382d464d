#!/usr/bin/env python3
"""Independent GGUF check (numpy), written from the format descriptions, not from Tritscope's TypeScript.

Header: ggml docs/gguf.md (magic, version, u64 counts, typed key/values, tensor infos,
general.alignment, data section padded to the alignment).
TQ1_0 (ggml-common.h block_tq1_0: qs[48], qh[4], f16 d; 256 weights): a byte stores base-3
digits most significant first, scaled by 256/243 and rounded up, so the original base-3
number is recovered as floor(byte * 243 / 256) and split into digits by division (the
reference's multiply-and-shift is not used here). qs[0:32] hold elements n*32+m,
qs[32:48] hold 160+n*16+m, qh holds 240+n*4+j (four digits, the fifth digit is 0).
TQ2_0 (block_tq2_0: qs[64], f16 d): 2-bit codes, least significant first; element
4*j + 32*l + m is code l of qs[j+m], j in {0, 32}.
I2_S (bitnet.cpp): n/4 bytes, blocks of 128 weights in 32 bytes, weight j at byte j%32,
bits 6-2*(j//32); f32 scale at byte n/4.

Usage: gguf_check.py FILE  -> JSON {tensor: {type, trits: {neg, zero, pos}, scales: [min, max], head: [...]}}
"""
import json
import struct
import sys

import numpy as np

SCALAR = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}
TYPES = {0: ('F32', 1, 4), 1: ('F16', 1, 2), 30: ('BF16', 1, 2), 34: ('TQ1_0', 256, 54), 35: ('TQ2_0', 256, 66)}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        v = struct.unpack_from('<' + fmt, self.data, self.pos)
        self.pos += struct.calcsize('<' + fmt)
        return v[0]

    def string(self):
        n = self.take('Q')
        s = self.data[self.pos:self.pos + n].decode('utf-8')
        self.pos += n
        return s

    def value(self, t):
        if t == 8:
            return self.string()
        if t == 9:
            et, n = self.take('I'), self.take('Q')
            return [self.value(et) for _ in range(n)]
        return self.take(SCALAR[t])


def tq1_trits(block):
    qs, qh = block[:48].astype(np.int64), block[48:52].astype(np.int64)
    out = np.zeros(256, dtype=np.int64)

    def digits(byte, count):
        q = (byte * 243) // 256  # undo the 256/243 ceiling rescale
        return [(q // 3 ** (4 - n)) % 3 for n in range(count)]

    for m in range(32):
        for n, d in enumerate(digits(qs[m], 5)):
            out[n * 32 + m] = d
    for m in range(16):
        for n, d in enumerate(digits(qs[32 + m], 5)):
            out[160 + n * 16 + m] = d
    for j in range(4):
        for n, d in enumerate(digits(qh[j], 4)):
            out[240 + n * 4 + j] = d
    return out - 1


def tq2_trits(block):
    qs = block[:64].astype(np.int64)
    out = np.zeros(256, dtype=np.int64)
    for j in (0, 32):
        for l in range(4):
            out[4 * j + 32 * l: 4 * j + 32 * l + 32] = (qs[j:j + 32] >> (2 * l)) & 3
    return out - 1


def i2s_trits(raw, n):
    codes = np.zeros(n, dtype=np.int64)
    for b in range(n // 128):
        chunk = raw[b * 32:(b + 1) * 32].astype(np.int64)
        for g in range(4):
            codes[b * 128 + g * 32: b * 128 + g * 32 + 32] = (chunk >> (6 - 2 * g)) & 3
    scale = struct.unpack_from('<f', raw.tobytes(), n // 4)[0]
    return codes - 1, [scale]


def main(path):
    data = open(path, 'rb').read()
    r = Reader(data)
    assert r.data[:4] == b'GGUF'
    r.pos = 4
    version, n_tensors, n_kv = r.take('I'), r.take('Q'), r.take('Q')
    meta = {}
    for _ in range(n_kv):
        k = r.string()
        meta[k] = r.value(r.take('I'))
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        nd = r.take('I')
        ne = [r.take('Q') for _ in range(nd)]
        infos.append((name, ne, r.take('I'), r.take('Q')))
    align = meta.get('general.alignment', 32)
    start = (r.pos + align - 1) // align * align
    report = {}
    for name, ne, t, off in infos:
        n = int(np.prod(ne))
        base = start + off
        entry = {'type': t}
        if t in (34, 35):
            _, bs, ts = TYPES[t]
            raw = np.frombuffer(data, dtype=np.uint8, count=n // bs * ts, offset=base).reshape(-1, ts)
            trits = np.concatenate([(tq1_trits if t == 34 else tq2_trits)(b) for b in raw])
            scales = [float(np.frombuffer(b[ts - 2:ts].tobytes(), dtype='<f2')[0]) for b in raw]
        elif t == 36:
            raw = np.frombuffer(data, dtype=np.uint8, count=n // 4 + 32, offset=base)
            trits, scales = i2s_trits(raw, n)
        else:
            continue
        entry['trits'] = {'neg': int((trits == -1).sum()), 'zero': int((trits == 0).sum()), 'pos': int((trits == 1).sum())}
        entry['scales'] = [min(scales), max(scales)]
        entry['head'] = [int(x) for x in trits[:300]]
        report[name] = entry
    json.dump({'version': version, 'tensors': report}, sys.stdout)


if __name__ == '__main__':
    main(sys.argv[1])
