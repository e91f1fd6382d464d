"""Labelled image data sets from the same specs as the Tritscope CLI (src/core/data/dataset.ts):

  fashion-mnist[:train|:test]      Debian's dataset-fashion-mnist (or $TRITSCOPE_FASHION_MNIST_DIR)
  idx:<images[.gz]>,<labels[.gz]>  IDX unsigned-byte pairs
  npy:<x.npy>,<y.npy>              x float32 in [0, 1] or uint8, y integer labels
  cifar10:<dir>[:train|:test]      CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin)
  images:<dir>                     class folders <dir>/<class>/*.png|jpg (needs Pillow or torchvision)

Pixels are scaled to [0, 1] (uint8 / 255) and laid out NCHW, exactly as the TypeScript loaders do,
so a model trained here sees the inputs `tritscope eval` feeds it. Every file is treated as hostile:
sizes are checked against the header before anything is allocated, decompression is bounded, and
errors name the file.
"""
import gzip
import os
import struct
import zlib

import numpy as np

FASHION_MNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
CIFAR10_LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
DEFAULT_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"
# No single data file may decompress to more than this (a hostile gzip cannot fill the memory).
MAX_FILE_BYTES = 8 << 30
MAX_IMAGES = 10_000_000


class DataError(ValueError):
    """A data set file is missing, malformed or inconsistent; the message names the file."""


class Dataset:
    """images: uint8 or float32 array [n, C, H, W]; labels: int64 [n]."""

    def __init__(self, name, images, labels, label_names=None):
        self.name, self.images, self.labels, self.label_names = name, images, labels, label_names

    def __len__(self):
        return int(self.labels.shape[0])

    @property
    def sample_shape(self):
        return tuple(self.images.shape[1:])

    @property
    def classes(self):
        return len(self.label_names) if self.label_names else int(self.labels.max()) + 1 if len(self) else 0

    def batch(self, idx):
        """Samples `idx` as float32 [0, 1] NCHW and their labels (numpy)."""
        x = self.images[idx]
        x = x.astype(np.float32) / np.float32(255) if x.dtype == np.uint8 else x.astype(np.float32, copy=False)
        return x, self.labels[idx]

    def subset(self, limit):
        if limit is None or limit >= len(self):
            return self
        return Dataset(self.name, self.images[:limit], self.labels[:limit], self.label_names)


def fashion_mnist_dir():
    return os.environ.get("TRITSCOPE_FASHION_MNIST_DIR") or DEFAULT_FASHION_MNIST_DIR


def _read_bounded(path, what):
    """File bytes, gunzipped when they start with the gzip magic; never more than MAX_FILE_BYTES."""
    try:
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=f) as g:
                    data = g.read(MAX_FILE_BYTES + 1)
            else:
                data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise DataError("%s: %s not found" % (path, what)) from None
    except (OSError, EOFError, zlib.error) as e:
        raise DataError("%s: cannot read %s: %s" % (path, what, e)) from None
    if len(data) > MAX_FILE_BYTES:
        raise DataError("%s: %s is larger than %d bytes" % (path, what, MAX_FILE_BYTES))
    return data


def parse_idx(data, path):
    """IDX unsigned-byte arrays (src/core/data/idx.ts parseIdx)."""
    if len(data) < 4:
        raise DataError("%s: IDX header: file is %d bytes, shorter than the 4-byte magic" % (path, len(data)))
    if data[0] or data[1]:
        raise DataError("%s: IDX magic: first two bytes must be 0 (not an IDX file, or not gunzipped?)" % path)
    if data[2] != 0x08:
        raise DataError("%s: IDX magic: element type 0x%x is not supported (expected 0x08, unsigned byte)" % (path, data[2]))
    rank = data[3]
    if not 1 <= rank <= 4:
        raise DataError("%s: IDX magic: rank %d out of range 1-4" % (path, rank))
    header = 4 + 4 * rank
    if len(data) < header:
        raise DataError("%s: IDX dims: file ends inside the %d dimension sizes" % (path, rank))
    dims = list(struct.unpack(">%dI" % rank, data[4:header]))
    n = int(np.prod(dims, dtype=np.int64))
    if len(data) - header != n:
        raise DataError("%s: IDX data: dims %s need %d bytes after the header, file has %d" % (path, dims, n, len(data) - header))
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _from_idx(name, images_file, labels_file, label_names=None):
    img = parse_idx(_read_bounded(images_file, "IDX images"), images_file)
    lbl = parse_idx(_read_bounded(labels_file, "IDX labels"), labels_file)
    if img.ndim != 3:
        raise DataError("%s: IDX dims: expected [n, height, width] images, got %s" % (images_file, list(img.shape)))
    if lbl.ndim != 1:
        raise DataError("%s: IDX dims: expected [n] labels, got %s" % (labels_file, list(lbl.shape)))
    if img.shape[0] != lbl.shape[0]:
        raise DataError("%s: %d labels for %d images in %s" % (labels_file, lbl.shape[0], img.shape[0], images_file))
    return Dataset(name, img[:, None, :, :], lbl.astype(np.int64), label_names)


def _fashion(split):
    d = fashion_mnist_dir()
    prefix = "train" if split == "train" else "t10k"
    files = [os.path.join(d, "%s-%s-idx%d-ubyte.gz" % (prefix, kind, dims)) for kind, dims in (("images", 3), ("labels", 1))]
    for f in files:
        if not os.path.isfile(f):
            raise DataError("%s: Fashion-MNIST file not found; install Debian package dataset-fashion-mnist or set TRITSCOPE_FASHION_MNIST_DIR" % f)
    return _from_idx("fashion-mnist:%s" % split, files[0], files[1], FASHION_MNIST_LABELS)


def read_npy(path):
    """A .npy array (C order; <f4, |u1, <i4, <i8), header and size checked before the data is read."""
    data = _read_bounded(path, ".npy file")
    if len(data) < 10 or data[:6] != b"\x93NUMPY":
        raise DataError("%s: not a .npy file (magic \\x93NUMPY missing)" % path)
    major = data[6]
    if major not in (1, 2, 3):
        raise DataError("%s: .npy version %d.%d is not supported" % (path, major, data[7]))
    hlen, start = (struct.unpack("<H", data[8:10])[0], 10) if major == 1 else (struct.unpack("<I", data[8:12])[0], 12)
    if start + hlen > len(data):
        raise DataError("%s: .npy header length %d runs past the end of the file" % (path, hlen))
    import ast
    try:
        header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
        raise DataError("%s: .npy header is malformed" % path) from None
    if fortran:
        raise DataError("%s: .npy array is in Fortran order; only C order is supported (use np.ascontiguousarray)" % path)
    widths = {"<f4": 4, "|u1": 1, "<i4": 4, "<i8": 8}
    if descr not in widths:
        raise DataError("%s: .npy dtype %r is not supported (expected <f4 float32, |u1 uint8, <i4 int32 or <i8 int64)" % (path, descr))
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise DataError("%s: .npy shape %r is malformed" % (path, shape))
    need = int(np.prod(shape, dtype=np.int64)) * widths[descr]
    if len(data) - start - hlen != need:
        raise DataError("%s: .npy data: shape %s of %s needs %d bytes, file has %d" % (path, shape, descr, need, len(data) - start - hlen))
    return np.frombuffer(data, dtype=np.dtype(descr), offset=start + hlen).reshape(shape)


def _from_npy(xf, yf):
    x, y = read_npy(xf), read_npy(yf)
    if x.ndim < 2:
        raise DataError("%s: expected samples x features (rank >= 2), got shape %s" % (xf, x.shape))
    if y.dtype == np.float32:
        raise DataError("%s: labels have dtype <f4; expected integer labels (<i8, <i4 or |u1)" % yf)
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise DataError("%s: labels shape %s does not match %d samples in %s" % (yf, y.shape, x.shape[0], xf))
    if x.dtype not in (np.float32, np.uint8):
        raise DataError("%s: image dtype %s is not supported (expected <f4 in [0,1] or |u1)" % (xf, x.dtype))
    if x.ndim == 3:  # [n, H, W] grayscale gets an explicit channel axis (NCHW)
        x = x[:, None]
    return Dataset("npy:%s" % os.path.basename(xf), x, y.astype(np.int64))


def _cifar10(d, split):
    names = ["data_batch_%d.bin" % i for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    record = 1 + 3 * 32 * 32
    xs, ys = [], []
    for n in names:
        f = os.path.join(d, n)
        if not os.path.isfile(f):
            raise DataError("%s: CIFAR-10 binary batch not found (expected the 'CIFAR-10 binary version' folder with %s)" % (f, ", ".join(names)))
        size = os.path.getsize(f)
        if size == 0 or size % record or size > MAX_FILE_BYTES:
            raise DataError("%s: CIFAR-10 batch size %d bytes is not a positive multiple of the %d-byte record" % (f, size, record))
        raw = np.fromfile(f, dtype=np.uint8).reshape(-1, record)
        if int(raw[:, 0].max()) > 9:
            bad = int(np.argmax(raw[:, 0] > 9))
            raise DataError("%s: record %d (byte %d): label %d is not a CIFAR-10 class 0-9" % (f, bad, bad * record, raw[bad, 0]))
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return Dataset("cifar10:%s" % split, np.concatenate(xs), np.concatenate(ys), CIFAR10_LABELS)


def _decode_image(path):
    try:
        from PIL import Image
        with Image.open(path) as im:
            return np.asarray(im.convert("RGB"), dtype=np.uint8).transpose(2, 0, 1)
    except ImportError:
        pass
    except Exception as e:  # noqa: BLE001 - Pillow raises many types for bad files
        raise DataError("%s: image decode failed: %s" % (path, e)) from None
    try:
        import torchvision.io as tio
        return tio.read_image(path, tio.ImageReadMode.RGB).numpy()
    except ImportError:
        raise DataError("%s: images: data sets need Pillow or torchvision to decode images (pip install pillow)" % path) from None
    except Exception as e:  # noqa: BLE001
        raise DataError("%s: image decode failed: %s" % (path, e)) from None


def _images(d):
    if not os.path.isdir(d):
        raise DataError("%s: images: expected a folder with one sub-folder per class" % d)
    root = os.path.realpath(d)
    classes = sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c)))
    if not classes:
        raise DataError("%s: images: no class sub-folders" % d)
    xs, ys, shape = [], [], None
    for k, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(d, c))):
            if not f.lower().endswith((".png", ".jpg", ".jpeg")):
                continue
            p = os.path.join(d, c, f)
            if not os.path.realpath(p).startswith(root + os.sep):
                raise DataError("%s: images: the file leads outside %s (symbolic link?)" % (p, d))
            if len(xs) >= MAX_IMAGES:
                raise DataError("%s: images: more than %d images" % (d, MAX_IMAGES))
            img = _decode_image(p)
            if shape is None:
                shape = img.shape
            elif img.shape != shape:
                raise DataError("%s: image is %s (C, H, W), the first image was %s; resize the data set to one size" % (p, img.shape, shape))
            xs.append(img)
            ys.append(k)
    if not xs:
        raise DataError("%s: images: no .png/.jpg files in the class folders" % d)
    return Dataset("images:%s" % os.path.basename(os.path.normpath(d)), np.stack(xs), np.asarray(ys, dtype=np.int64), classes)


def _pair(spec, kind):
    parts = spec[len(kind) + 1:].split(",")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise DataError("data set %r: expected %s:<images>,<labels>" % (spec, kind))
    return parts


def _split(rest):
    for s in ("train", "test"):
        if rest.endswith(":" + s):
            return rest[:-len(s) - 1], s
    return rest, "train"


def load_dataset(spec, for_training=False):
    """Loads a data spec. A bare `fashion-mnist` is the test split, or the train split when `for_training`
    (as src/core/train/fashion-data.ts loadTrainData)."""
    if spec == "fashion-mnist":
        return _fashion("train" if for_training else "test")
    if spec in ("fashion-mnist:train", "fashion-mnist:test"):
        return _fashion(spec.split(":")[1])
    if spec.startswith("idx:"):
        img, lbl = _pair(spec, "idx")
        return _from_idx("idx:%s" % os.path.basename(img), img, lbl)
    if spec.startswith("npy:"):
        return _from_npy(*_pair(spec, "npy"))
    if spec.startswith("cifar10:"):
        d, split = _split(spec[len("cifar10:"):])
        return _cifar10(d, split)
    if spec.startswith("images:"):
        return _images(spec[len("images:"):])
    raise DataError("data set %r: unknown; expected fashion-mnist[:train|:test], idx:<images>,<labels>, npy:<x.npy>,<y.npy>, "
                    "cifar10:<dir>[:train|:test] or images:<dir>" % spec)


def test_spec_for(spec):
    """The held-out split of a training spec (fashion-data.ts testSpecFor, plus CIFAR-10), or None."""
    if spec.startswith("fashion-mnist"):
        return "fashion-mnist:test"
    if spec.startswith("cifar10:"):
        d, _ = _split(spec[len("cifar10:"):])
        return "cifar10:%s:test" % d
    return None


def pad_to(ds, size):
    """Zero-pads images to size × size, centred (Fashion-MNIST 28×28 → 32×32 for CIFAR-shaped networks)."""
    n, c, h, w = ds.images.shape
    if h > size or w > size:
        raise DataError("%s: images are %dx%d, larger than --pad-to %d" % (ds.name, h, w, size))
    top, left = (size - h) // 2, (size - w) // 2
    out = np.zeros((n, c, size, size), dtype=ds.images.dtype)
    out[:, :, top:top + h, left:left + w] = ds.images
    return Dataset(ds.name + "@pad%d" % size, out, ds.labels, ds.label_names)
