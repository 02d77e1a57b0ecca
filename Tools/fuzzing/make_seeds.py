#!/usr/bin/env python3
"""Seed corpus for one fuzz target: real files from the repository (the MNIST test fixtures in
Tests/Fixtures/data/mnist, the digits set in Data/digits) cut small where the format allows, plus
small valid samples of each format written here from the format descriptions.

    python3 Tools/fuzzing/make_seeds.py <target> <out-folder> <package-root>

Called by Tools/fuzz; every file written is a valid (or deliberately borderline) input, so the
fuzzer starts from inputs that reach deep into the reader.
"""
import gzip
import io
import os
import struct
import sys
import tarfile
import zlib


def write(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def gz(data, level=6, name=None):
    # mtime 0 keeps the seeds byte-identical from run to run.
    out = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", compresslevel=level, fileobj=out, mtime=0) as f:
        f.write(data)
    return out.getvalue()


def mnist(root, name):
    """The path of an MNIST fixture file (Tests/Fixtures/data/mnist/<name>)."""
    return os.path.join(root, "Tests/Fixtures/data/mnist", name)


def gunzip_prefix(path, count):
    with gzip.open(path, "rb") as f:
        return f.read(count)


def idx(type_code, shape, payload):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape) + payload


def seeds_gzip(out, root):
    labels = mnist(root, "t10k-labels-idx1-ubyte.gz")
    write(out, "mnist-t10k-labels.gz", open(labels, "rb").read())
    images = open(mnist(root, "t10k-images-idx3-ubyte.gz"), "rb").read()
    write(out, "mnist-t10k-images-first-8k.gz", images[:8192])  # truncated mid-stream
    write(out, "digits-first-4k.gz", open(os.path.join(root, "Data/digits/digits.csv.gz"), "rb").read()[:4096])
    text = b"the quick brown fox jumps over the lazy dog\n" * 20
    for level in (0, 1, 9):
        write(out, f"text-level{level}.gz", gz(text, level))
    write(out, "named.gz", gz(text, name="sample.txt"))
    write(out, "two-members.gz", gz(b"first member\n") + gz(b"second member\n"))
    write(out, "zero-padding.gz", gz(text) + b"\0" * 37)
    write(out, "empty-content.gz", gz(b""))
    write(out, "zeros-64k.gz", gz(b"\0" * 65536, 9))
    # A header with every optional field: FTEXT|FHCRC|FEXTRA|FNAME|FCOMMENT.
    raw = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = raw.compress(text) + raw.flush()
    header = b"\x1f\x8b\x08\x1f" + b"\0\0\0\0" + b"\x00\x03"
    header += struct.pack("<H", 4) + b"ab\x00\x00" + b"name\0" + b"comment\0"
    header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    write(out, "all-flags.gz", header + body + struct.pack("<II", zlib.crc32(text), len(text)))
    write(out, "plain.txt", text)
    write(out, "web-page.html", b"<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>")


def seeds_idx(out, root):
    labels = gzip.open(mnist(root, "t10k-labels-idx1-ubyte.gz")).read()
    write(out, "mnist-t10k-labels-first-200.idx", idx(0x08, [200], labels[8:208]))
    write(out, "mnist-t10k-labels.idx.gz", open(mnist(root, "t10k-labels-idx1-ubyte.gz"), "rb").read())
    pixels = gunzip_prefix(mnist(root, "t10k-images-idx3-ubyte.gz"), 16 + 3 * 784)[16:]
    three = idx(0x08, [3, 28, 28], pixels)
    write(out, "mnist-t10k-images-first-3.idx", three)
    write(out, "mnist-t10k-images-first-3.idx.gz", gz(three))
    write(out, "u8-rank0.idx", idx(0x08, [], b"\x07"))
    write(out, "i8-2x3.idx", idx(0x09, [2, 3], bytes([0, 1, 2, 0xFF, 0x80, 0x7F])))
    write(out, "i16-4.idx", idx(0x0B, [4], struct.pack(">4h", 0, 1, -1, -32768)))
    write(out, "i32-2x2.idx", idx(0x0C, [2, 2], struct.pack(">4i", 0, 1, -1, 2**31 - 1)))
    write(out, "f32-3.idx", idx(0x0D, [3], struct.pack(">3f", 0.0, -1.5, float("inf"))))
    write(out, "f64-1x1x2.idx", idx(0x0E, [1, 1, 2], struct.pack(">2d", 3.25, float("nan"))))
    write(out, "u8-0x28x28.idx", idx(0x08, [0, 28, 28], b""))
    write(out, "u8-rank4.idx", idx(0x08, [1, 2, 2, 2], bytes(range(8))))


def cifar_batch(records, batch=0):
    out = bytearray()
    for r in range(records):
        out.append((r * 3 + batch) % 10)
        out += bytes((batch * 31 + r * 7 + c * 85 + i) & 0xFF for c in range(3) for i in range(1024))
    return bytes(out)


CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
BATCHES = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
           "test_batch.bin"]


def seeds_cifar(out, root):
    write(out, "batch-1-record.bin", cifar_batch(1))
    write(out, "batch-3-records.bin", cifar_batch(3))
    write(out, "batch-2-records.bin.gz", gz(cifar_batch(2, 5)))
    write(out, "batch-labels-only-9.bin", bytes([9]) + bytes(3072))
    write(out, "batches.meta.txt", ("\n".join(CLASS_NAMES) + "\n\n").encode())


def tar_bytes(members, fmt=tarfile.GNU_FORMAT):
    """members: (name, data) for files, (name, None) for folders, (name, '->target') symlinks,
    (name, '=>target') hard links."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1234567890
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(data, str) and data.startswith("->"):
                info.type = tarfile.SYMTYPE
                info.linkname = data[2:]
                tar.addfile(info)
            elif isinstance(data, str) and data.startswith("=>"):
                info.type = tarfile.LNKTYPE
                info.linkname = data[2:]
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def small_cifar_archive(records=1, fmt=tarfile.GNU_FORMAT):
    members = [("cifar-10-batches-bin", None),
               ("cifar-10-batches-bin/batches.meta.txt", ("\n".join(CLASS_NAMES) + "\n\n").encode())]
    members += [("cifar-10-batches-bin/" + name, cifar_batch(records, b)) for b, name in enumerate(BATCHES)]
    return tar_bytes(members, fmt)


def seeds_tar(out, root):
    write(out, "cifar-small.tar.gz", gz(small_cifar_archive(1), 9))
    write(out, "cifar-small-ustar.tar", small_cifar_archive(1, tarfile.USTAR_FORMAT)[:40000])
    write(out, "cifar-small-pax.tar.gz", gz(small_cifar_archive(1, tarfile.PAX_FORMAT), 9))
    long_name = "folder/" + "x" * 120 + "/data.bin"
    write(out, "gnu-long-name.tar", tar_bytes([(long_name, b"abc")], tarfile.GNU_FORMAT))
    write(out, "pax-long-name.tar", tar_bytes([(long_name, b"abc")], tarfile.PAX_FORMAT))
    write(out, "links.tar", tar_bytes([("d", None), ("d/f", b"data"), ("d/s", "->f"), ("d/h", "=>d/f")]))
    write(out, "long-link.tar", tar_bytes([("s", "->" + "y/" * 60 + "f")], tarfile.GNU_FORMAT))
    write(out, "pax-link.tar", tar_bytes([("s", "->" + "y/" * 60 + "f")], tarfile.PAX_FORMAT))
    write(out, "empty.tar", b"\0" * 1024)


def seeds_digits(out, root):
    text = gzip.open(os.path.join(root, "Data/digits/digits.csv.gz")).read()
    lines = text.split(b"\n")
    write(out, "digits-first-20.csv", b"\n".join(lines[:20]) + b"\n")
    write(out, "digits-first-5.csv.gz", gz(b"\n".join(lines[:5]) + b"\n"))
    write(out, "digits-crlf-3.csv", b"\r\n".join(lines[:3]) + b"\r\n")
    write(out, "digits-integers-2.csv", b"\n".join(lines[:2]).replace(b".0", b"") + b"\n")
    write(out, "digits-spaces-1.csv", lines[0].replace(b",", b" , ") + b"\n\n  \n")


def seeds_augment(out, root):
    specs = ["hflip", "vflip:0.25", "crop:4", "crop:2:reflect", "crop:3:edge", "crop:1:zero", "shift:2",
             "shift:3:128", "rotate:15", "rotate:180:255", "cutout:8", "cutout:4:0.5", "brightness:0.2",
             "contrast:0.3", "hflip,crop:4,shift:2", " HFlip , Rotate:10 ", "",
             "hflip,vflip,crop:2:edge,shift:1:7,rotate:30,cutout:3:0.9,brightness:0.5,contrast:1"]
    for i, spec in enumerate(specs):
        write(out, f"spec-{i:02d}.txt", spec.encode())


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, color_type, bit_depth, rows, palette=None, trns=None, interlace=0):
    """rows: raw scanlines without filter bytes (for interlace=1: the 7 passes' scanlines, flattened)."""
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace))
    if palette:
        out += png_chunk(b"PLTE", palette)
    if trns:
        out += png_chunk(b"tRNS", trns)
    filters = [0, 1, 2, 3, 4]
    raw = b"".join(bytes([filters[i % 5] if bit_depth == 8 else 0]) + row for i, row in enumerate(rows))
    out += png_chunk(b"IDAT", zlib.compress(raw, 9))
    out += png_chunk(b"IEND", b"")
    return out


def seeds_png(out, root):
    # Filtered rows are decoded by the reader; any bytes are valid filtered data.
    write(out, "gray8-4x3.png", png(4, 3, 0, 8, [bytes([i * 20 + j for j in range(4)]) for i in range(3)]))
    write(out, "rgb8-3x2.png", png(3, 2, 2, 8, [bytes(range(r * 9, r * 9 + 9)) for r in range(2)]))
    write(out, "rgba8-2x2.png", png(2, 2, 6, 8, [bytes(range(8)), bytes(range(8, 16))]))
    write(out, "graya8-2x2.png", png(2, 2, 4, 8, [bytes([1, 255, 2, 128]), bytes([3, 0, 4, 64])]))
    write(out, "gray1-9x2.png", png(9, 2, 0, 1, [bytes([0b10101010, 0b10000000]), bytes([0xFF, 0])]))
    write(out, "gray16-2x1.png", png(2, 1, 0, 16, [struct.pack(">2H", 0, 65535)]))
    write(out, "rgb16-1x1.png", png(1, 1, 2, 16, [struct.pack(">3H", 1, 2, 3)]))
    palette = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    write(out, "palette4-5x2.png", png(5, 2, 3, 4, [bytes([0x01, 0x23, 0x00]), bytes([0x32, 0x10, 0x30])], palette,
                                       trns=bytes([255, 128])))
    write(out, "gray8-trns.png", png(2, 1, 0, 8, [bytes([5, 6])], trns=struct.pack(">H", 5)))
    # Adam7 interlaced 3x3 gray, written pass by pass (passes with no pixels have no rows).
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    w = h = 3
    rows = []
    for x0, y0, dx, dy in passes:
        pw = len(range(x0, w, dx))
        ph = len(range(y0, h, dy))
        if pw == 0 or ph == 0:
            continue
        for y in range(y0, h, dy):
            rows.append(bytes((x * 40 + y * 10) & 0xFF for x in range(x0, w, dx)))
    write(out, "gray8-adam7-3x3.png", png(w, h, 0, 8, rows, interlace=1))


def main():
    target, out, root = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    makers = {"gzip": seeds_gzip, "idx": seeds_idx, "cifar": seeds_cifar, "tar": seeds_tar,
              "digits-csv": seeds_digits, "augment-spec": seeds_augment, "png-read": seeds_png}
    extra = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds_" + target.replace("-", "_") + ".py")
    if target in makers:
        makers[target](out, root)
    elif os.path.exists(extra):
        # Targets added later keep their seed maker beside this script.
        import importlib.util
        spec = importlib.util.spec_from_file_location("extra_seeds", extra)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.make(out, root)
    else:
        sys.exit(f"no seed maker for target {target}")
    print(f"fuzz: {len(os.listdir(out))} seed files for {target} in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
