#!/usr/bin/env python3
"""Checks a dataset folder after `nnzoo fetch` was killed: no file may pass as complete unless it is.

    check_fetch_state.py <dataset-folder> <name>=<sha256 of decompressed content> ...

For every listed file present under its final name, the decompressed content must have the expected
SHA-256 (the tool renames a download into place only after verifying it). Every entry of the
`.verified` record whose size and modification time still match the file (so `nnzoo fetch` would
trust it without reading it) must describe exactly that content. Prints one line per file; exits 1 on
any file that passes as complete without being so.
"""
import gzip
import hashlib
import json
import os
import sys

folder = sys.argv[1]
expected = dict(arg.split("=", 1) for arg in sys.argv[2:])
record_path = os.path.join(folder, ".verified")
record = {}
if os.path.exists(record_path):
    with open(record_path) as f:
        record = json.load(f).get("files", {})

bad = 0
for name, sha in sorted(expected.items()):
    path = os.path.join(folder, name)
    part = path + ".part"
    part_note = f", .part holds {os.path.getsize(part)} bytes" if os.path.exists(part) else ""
    if not os.path.exists(path):
        print(f"  {name}: not in place{part_note}")
        continue
    with gzip.open(path, "rb") as f:
        content = hashlib.sha256(f.read()).hexdigest()
    info = os.stat(path)
    entry = record.get(name)
    trusted = entry is not None and entry["size"] == info.st_size and abs(entry["modified"] - info.st_mtime) < 1e-6
    if content != sha:
        bad += 1
        print(f"  {name}: IN PLACE BUT WRONG (content SHA-256 {content}){part_note}")
    elif trusted and entry["contentSHA256"] != content:
        bad += 1
        print(f"  {name}: .verified describes other content than the file")
    else:
        print(f"  {name}: in place, content verified{' and recorded in .verified' if trusted else ''}{part_note}")
for leftover in sorted(os.listdir(folder)):
    if ".rejected-" in leftover:
        print(f"  note: {leftover} was moved aside")
sys.exit(1 if bad else 0)
