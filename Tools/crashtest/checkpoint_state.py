#!/usr/bin/env python3
"""Reads nnzoo safetensors checkpoints without nnzoo (the format is 8 bytes of header length, a JSON
header, then the tensors' bytes).

    checkpoint_state.py position FILE       prints "epoch E batch B" from the resume metadata
    checkpoint_state.py same FILE_A FILE_B  exit 0 if both hold the same tensors, byte for byte
"""
import json
import struct
import sys


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    tensors = {name: body[entry["data_offsets"][0]:entry["data_offsets"][1]]
               for name, entry in header.items() if name != "__metadata__"}
    return header.get("__metadata__", {}), tensors


if sys.argv[1] == "position":
    metadata, _ = read(sys.argv[2])
    resume = json.loads(metadata.get("resume", "{}"))
    print(f"epoch {resume.get('epoch', '?')} batch {resume.get('batch', '?')}")
elif sys.argv[1] == "same":
    _, a = read(sys.argv[2])
    _, b = read(sys.argv[3])
    if a.keys() != b.keys():
        print(f"different tensors: {sorted(a.keys() ^ b.keys())}")
        sys.exit(1)
    differing = [name for name in a if a[name] != b[name]]
    if differing:
        print(f"{len(differing)} of {len(a)} tensors differ: {', '.join(sorted(differing)[:5])}")
        sys.exit(1)
    sys.exit(0)
