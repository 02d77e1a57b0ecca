#!/usr/bin/env python3
"""An independent PNG decoder for the tests: standard library only (zlib, struct), no libpng.

    python3 Tools/png_decode.py IMAGE.png PIXELS.raw

Checks the signature and every chunk's CRC, inflates the IDAT stream, undoes the five row filters
(None, Sub, Up, Average, Paeth) and writes the 8-bit pixels, rows top to bottom, channels
interleaved, to PIXELS.raw. Prints "WIDTH HEIGHT CHANNELS" on stdout. Handles 8-bit gray (0),
RGB (2), gray+alpha (4) and RGBA (6) without interlacing: what nnzoo writes. Anything else is
refused with a message on stderr and exit status 1.
"""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def fail(message):
    sys.stderr.write("png_decode: %s\n" % message)
    sys.exit(1)


def chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("not a PNG signature")
    pos = 8
    while pos < len(data):
        if pos + 12 > len(data):
            fail("truncated chunk header at byte %d" % pos)
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length or pos + 12 + length > len(data):
            fail("truncated %r chunk" % kind)
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            fail("bad CRC in %r chunk" % kind)
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            return
    fail("no IEND chunk")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    header = None
    idat = bytearray()
    for kind, body in chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    if header is None:
        fail("no IHDR chunk")
    width, height, depth, color, _compression, _filter, interlace = header
    if depth != 8 or color not in CHANNELS or interlace != 0:
        fail("unsupported format: bit depth %d, colour type %d, interlace %d" % (depth, color, interlace))
    bpp = CHANNELS[color]
    stride = width * bpp
    raw = zlib.decompress(bytes(idat))
    if len(raw) != height * (stride + 1):
        fail("inflated %d bytes, expected %d" % (len(raw), height * (stride + 1)))
    out = bytearray(height * stride)
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if kind == 0:
                predictor = 0
            elif kind == 1:
                predictor = left
            elif kind == 2:
                predictor = up
            elif kind == 3:
                predictor = (left + up) // 2
            elif kind == 4:
                predictor = paeth(left, up, up_left)
            else:
                fail("unknown filter type %d in row %d" % (kind, y))
            row[i] = (row[i] + predictor) & 0xFF
        out[y * stride:(y + 1) * stride] = row
        previous = row
    return width, height, bpp, bytes(out)


def main():
    if len(sys.argv) != 3:
        fail("usage: png_decode.py IMAGE.png PIXELS.raw")
    with open(sys.argv[1], "rb") as f:
        width, height, channels, pixels = decode(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(pixels)
    print(width, height, channels)


if __name__ == "__main__":
    main()
