"""Data specs as the CLI reads them, and hostile files: every error names the file; nothing is read past a checked size."""
import gzip
import os
import struct
import unittest

import numpy as np

from helpers import tempdir

from tritscope_torch import data
from tritscope_torch.data import DataError


def idx_bytes(arr):
    arr = np.asarray(arr, dtype=np.uint8)
    return bytes([0, 0, 8, arr.ndim]) + struct.pack(">%dI" % arr.ndim, *arr.shape) + arr.tobytes()


class Specs(unittest.TestCase):
    def test_fashion_mnist_like_the_cli(self):
        test = data.load_dataset("fashion-mnist")
        self.assertEqual((len(test), test.sample_shape, test.classes), (10000, (1, 28, 28), 10))
        self.assertEqual(data.load_dataset("fashion-mnist", for_training=True).name, "fashion-mnist:train")
        x, y = test.batch(np.arange(2))
        self.assertEqual(x.dtype, np.float32)
        self.assertTrue(0 <= x.min() and x.max() <= 1)
        self.assertEqual(test.label_names[int(y[0])], "Ankle boot")  # the sample the README steps through
        self.assertEqual(data.test_spec_for("fashion-mnist:train"), "fashion-mnist:test")

    def test_idx_npy_cifar_images(self):
        d = tempdir(self)
        imgs = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
        with gzip.open(os.path.join(d, "i.gz"), "wb") as f:
            f.write(idx_bytes(imgs))
        with open(os.path.join(d, "l"), "wb") as f:
            f.write(idx_bytes([3, 7]))
        ds = data.load_dataset("idx:%s,%s" % (os.path.join(d, "i.gz"), os.path.join(d, "l")))
        self.assertEqual(ds.sample_shape, (1, 3, 4))
        self.assertEqual(ds.labels.tolist(), [3, 7])
        np.save(os.path.join(d, "x.npy"), np.ones((3, 5, 5), dtype=np.float32) / 2)
        np.save(os.path.join(d, "y.npy"), np.array([0, 1, 2]))
        ds = data.load_dataset("npy:%s,%s" % (os.path.join(d, "x.npy"), os.path.join(d, "y.npy")))
        self.assertEqual((ds.sample_shape, ds.batch([1])[0].max()), ((1, 5, 5), 0.5))
        rec = np.zeros((4, 3073), dtype=np.uint8)
        rec[:, 0] = [0, 9, 3, 3]
        rec[1, 1] = 255
        for name in ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]:
            rec.tofile(os.path.join(d, name))
        tr = data.load_dataset("cifar10:%s" % d)
        self.assertEqual((len(tr), tr.sample_shape, tr.classes), (20, (3, 32, 32), 10))
        self.assertEqual(tr.batch([1])[0][0, 0, 0, 0], 1.0)
        self.assertEqual(len(data.load_dataset("cifar10:%s:test" % d)), 4)
        self.assertEqual(data.test_spec_for("cifar10:%s" % d), "cifar10:%s:test" % d)
        padded = data.pad_to(ds, 9)
        self.assertEqual(padded.sample_shape, (1, 9, 9))
        self.assertEqual(float(padded.images[0, 0, 2, 2]), 0.5)
        self.assertEqual(float(padded.images[0, 0, 0, 0]), 0.0)

    def test_image_folders(self):
        try:
            from PIL import Image
        except ImportError:
            self.fail("Pillow (python3-pil) is needed for images: data sets; it comes with python3-torchvision")
        d = tempdir(self)
        for c, v in (("cat", 10), ("dog", 200)):
            os.makedirs(os.path.join(d, c))
            Image.fromarray(np.full((6, 6, 3), v, dtype=np.uint8)).save(os.path.join(d, c, "a.png"))
        ds = data.load_dataset("images:%s" % d)
        self.assertEqual((ds.label_names, ds.labels.tolist(), ds.sample_shape), (["cat", "dog"], [0, 1], (3, 6, 6)))
        Image.fromarray(np.zeros((5, 6, 3), dtype=np.uint8)).save(os.path.join(d, "dog", "b.png"))
        with self.assertRaisesRegex(DataError, "b.png: image is"):
            data.load_dataset("images:%s" % d)


class Hostile(unittest.TestCase):
    def check(self, spec, pattern):
        with self.assertRaisesRegex(DataError, pattern):
            data.load_dataset(spec)

    def test_idx(self):
        d = tempdir(self)
        good = os.path.join(d, "l")
        with open(good, "wb") as f:
            f.write(idx_bytes([1, 2]))
        cases = {
            "short": b"\x00\x00", "magic": b"\x01\x00\x08\x01", "dtype": bytes([0, 0, 0x0D, 1, 0, 0, 0, 1]) + b"\0" * 4,
            "rank": bytes([0, 0, 8, 9]), "dims": bytes([0, 0, 8, 3, 0, 0]),
            "size": bytes([0, 0, 8, 3]) + struct.pack(">3I", 1000, 1000, 1000) + b"\0" * 10,
        }
        for name, blob in cases.items():
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(blob)
            self.check("idx:%s,%s" % (p, good), name)
        with open(os.path.join(d, "bad.gz"), "wb") as f:
            f.write(b"\x1f\x8b" + b"garbage" * 10)
        self.check("idx:%s,%s" % (os.path.join(d, "bad.gz"), good), "bad.gz: cannot read")
        self.check("idx:%s,%s" % (os.path.join(d, "missing"), good), "missing: IDX images not found")

    def test_npy(self):
        d = tempdir(self)
        y = os.path.join(d, "y.npy")
        np.save(y, np.array([1, 2]))
        np.save(os.path.join(d, "f64.npy"), np.zeros((2, 3, 3)))
        np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(np.zeros((2, 3, 3), dtype=np.float32)))
        np.save(os.path.join(d, "three.npy"), np.zeros((3, 3, 3), dtype=np.float32))
        np.save(os.path.join(d, "yfloat.npy"), np.zeros(2, dtype=np.float32))
        with open(os.path.join(d, "trunc.npy"), "wb") as f:
            blob = open(os.path.join(d, "three.npy"), "rb").read()
            f.write(blob[:-5])
        with open(os.path.join(d, "header.npy"), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00\xff\xff{")
        self.check("npy:%s,%s" % (os.path.join(d, "f64.npy"), y), "f64.npy: .npy dtype '<f8'")
        self.check("npy:%s,%s" % (os.path.join(d, "fortran.npy"), y), "fortran.npy: .npy array is in Fortran order")
        self.check("npy:%s,%s" % (os.path.join(d, "three.npy"), y), "y.npy: labels shape")
        self.check("npy:%s,%s" % (os.path.join(d, "three.npy"), os.path.join(d, "yfloat.npy")), "yfloat.npy: labels have dtype")
        self.check("npy:%s,%s" % (os.path.join(d, "trunc.npy"), y), "trunc.npy: .npy data")
        self.check("npy:%s,%s" % (os.path.join(d, "header.npy"), y), "header.npy: .npy header length")

    def test_cifar_and_specs(self):
        d = tempdir(self)
        np.zeros(3073 * 2 + 1, dtype=np.uint8).tofile(os.path.join(d, "test_batch.bin"))
        self.check("cifar10:%s:test" % d, "test_batch.bin: CIFAR-10 batch size")
        rec = np.zeros((2, 3073), dtype=np.uint8)
        rec[1, 0] = 12
        rec.tofile(os.path.join(d, "test_batch.bin"))
        self.check("cifar10:%s:test" % d, r"test_batch.bin: record 1 \(byte 3073\): label 12")
        self.check("cifar10:%s" % d, "data_batch_1.bin: CIFAR-10 binary batch not found")
        self.check("mnist", "unknown")
        self.check("idx:onlyone", "expected idx:<images>,<labels>")
        self.check("images:%s" % os.path.join(d, "nope"), "expected a folder")

    def test_image_symlink_outside_the_folder(self):
        d = tempdir(self)
        outside = tempdir(self)
        open(os.path.join(outside, "x.png"), "wb").close()
        os.makedirs(os.path.join(d, "c"))
        os.symlink(os.path.join(outside, "x.png"), os.path.join(d, "c", "x.png"))
        self.check("images:%s" % d, "leads outside")


if __name__ == "__main__":
    unittest.main()
