#!/usr/bin/env python3
"""Writes the hostile files Tools/hostile-cases feeds to nnzoo, each in a data directory of its own
(or as a single file), from the format descriptions:

    make_files.py <folder>

Tar archives (as cifar-10-binary.tar.gz) with members that could write outside the folder they are
unpacked into; gzip bombs of the registry's files; IDX headers whose dimension product exceeds the
file or overflows; damaged checkpoints; a recipe whose network cannot fit in memory; output
targets that are not regular files, links, and a private file to be replaced; recipes with
BatchNorm (batches of one value per channel), a stride near 2^63, numbers of the wrong type and a
key given twice.
"""
import gzip
import io
import json
import os
import socket
import stat
import struct
import sys
import tarfile
import zlib

root = sys.argv[1]


def put(path, data):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as f:
        f.write(data)
    return out.getvalue()


def bomb(prefix, mebibytes):
    """`prefix` then `mebibytes` MiB of zeros, as many gzip members of one compressed MiB each."""
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    one = member.compress(b"\0" * (1 << 20)) + member.flush()
    return (gz(prefix) if prefix else b"") + one * mebibytes


CLASSES = b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"


def archive(hostile):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        meta = tarfile.TarInfo("cifar-10-batches-bin/batches.meta.txt")
        meta.size = len(CLASSES)
        tar.addfile(meta, io.BytesIO(CLASSES))
        for name, kind, target in hostile:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = 3
                tar.addfile(info, io.BytesIO(b"abc"))
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = target
                tar.addfile(info)
    return gz(out.getvalue())


tar_cases = {
    "tar-absolute-name": [("/etc/cron.d/nnzoo", "file", None)],
    "tar-dotdot-name": [("cifar-10-batches-bin/../../../.bashrc", "file", None)],
    "tar-symlink-absolute": [("cifar-10-batches-bin/data", "symlink", "/etc")],
    "tar-symlink-climbing": [("cifar-10-batches-bin/up", "symlink", "../../..")],
    "tar-symlink-two-step": [("d", "symlink", "."), ("d/e", "symlink", "..")],
    "tar-hardlink-outside": [("cifar-10-batches-bin/shadow", "hardlink", "../../etc/shadow")],
}
for case, members in tar_cases.items():
    put(f"{case}/cifar10/cifar-10-binary.tar.gz", archive(members))

# Gzip bombs, each where the registry expects one of its files.
put("bomb-mnist-labels/mnist/t10k-labels-idx1-ubyte.gz",
    bomb(bytes([0, 0, 8, 1]) + struct.pack(">I", 1_000_000_000), 1000))
put("bomb-mnist-labels/mnist/t10k-images-idx3-ubyte.gz", gz(bytes([0, 0, 8, 3]) + struct.pack(">3I", 0, 28, 28)))
put("bomb-digits/digits/digits.csv.gz", bomb(b"", 64))
put("bomb-cifar/cifar10/cifar-10-binary.tar.gz", bomb(b"", 256))

# IDX headers: a product far past the file, and one that overflows 64 bits.
put("idx-huge-dims.idx", bytes([0, 0, 8, 3]) + struct.pack(">3I", 65535, 65535, 65535) + b"\1\2\3")
put("idx-overflow.idx", bytes([0, 0, 0x0E, 4]) + struct.pack(">4I", *[0xFFFFFFFF] * 4))
put("idx-gzip-claims-4gib.idx.gz", gz(bytes([0, 0, 8, 1]) + struct.pack(">I", 0xFFFFFFFF)))

# A recipe whose network cannot fit in memory.
recipe = json.load(open(os.path.join(os.path.dirname(__file__), "../../zoo/digits-mlp.json")))
recipe["name"] = "huge"
recipe["layers"][1]["out_features"] = 1_000_000_000
put("huge.json", json.dumps(recipe, indent=1).encode())

# Output targets (`--png`, eval's files, ...): things at the path nnzoo is asked to write that are
# not regular files, or files it must replace with care. A character device only as root, made in
# this folder (never /dev/null itself).
targets = os.path.join(root, "targets")
os.makedirs(targets, exist_ok=True)
os.mkfifo(os.path.join(targets, "fifo.png"))
with socket.socket(socket.AF_UNIX) as s:
    s.bind(os.path.join(targets, "socket.png"))
os.mkdir(os.path.join(targets, "folder.png"))
if os.geteuid() == 0:
    os.mknod(os.path.join(targets, "null.png"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
os.symlink("nowhere/missing.png", os.path.join(targets, "dangling.png"))
os.symlink("fifo.png", os.path.join(targets, "link-to-fifo.png"))
os.symlink("loop-b.png", os.path.join(targets, "loop-a.png"))
os.symlink("loop-a.png", os.path.join(targets, "loop-b.png"))
put("targets/real.png", b"the link's target")
os.symlink("real.png", os.path.join(targets, "link.png"))
put("targets/private.png", b"private")
os.chmod(os.path.join(targets, "private.png"), 0o600)
put("targets/.private.png.tmp-99999999-1", b"a temporary a killed writer left")

# Recipes: BatchNorm1d (a batch of one gives it one value per channel), a Conv2d stride near 2^63
# (it overflowed in im2col), numbers of the wrong type, a field given twice.
def variant(name, edit):
    r = json.load(open(os.path.join(os.path.dirname(__file__), "../../zoo/digits-mlp.json")))
    r["name"] = name
    edit(r)
    put(name + ".json", json.dumps(r, indent=1).encode())


variant("batchnorm", lambda r: r["layers"].insert(2, {"type": "BatchNorm1d"}))
variant("conv-stride", lambda r: r.update(layers=[
    {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2**63 - 1},
    {"type": "Flatten"}, {"type": "Linear", "out_features": 10}]))
variant("epochs-fraction", lambda r: r.update(epochs=1.5))
variant("seed-negative", lambda r: r.update(seed=-1))
text = json.dumps(json.load(open(os.path.join(os.path.dirname(__file__), "../../zoo/digits-mlp.json"))), indent=1)
put("epochs-twice.json", text.replace('"epochs": 60,', '"epochs": 60,\n "epochs": 1,').encode())

# CIFAR-10 archives whose members a reader going by file name would mix up: an extra
# evil/test_batch.bin before the real one (100 images of another batch), and the real path twice.
def cifar_archive(extra_first=(), extra_last=()):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, data in extra_first:
            add(name, data)
        add("cifar-10-batches-bin/batches.meta.txt", CLASSES)
        for name in ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]:
            add("cifar-10-batches-bin/" + name, bytes([3]) + bytes(3072))
        for name, data in extra_last:
            add(name, data)
    return gz(out.getvalue())


evil = b"".join(bytes([7]) + bytes([255]) * 3072 for _ in range(100))
put("cifar-shadow/cifar10/cifar-10-binary.tar.gz", cifar_archive(extra_first=[("evil/test_batch.bin", evil)]))
put("cifar-twice/cifar10/cifar-10-binary.tar.gz",
    cifar_archive(extra_last=[("./cifar-10-batches-bin/test_batch.bin", evil)]))
