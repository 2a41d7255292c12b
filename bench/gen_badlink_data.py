#!/usr/bin/env python3
"""Generates the 20-module graph for bench/badlink.

usage: gen_badlink_data.py MODGATE_BIN TREE_DIR SRC_DIR MODULES

MODULES modules example.com/badlink/mNN v1.0.0 (each requires the next) in the layout
of a `file://` GOPROXY, each zip (made with `modgate zip create`, through
gen_serve_data.module) holding a Go file and 20-300 KB of random files, so a zip spans
many packets on the bad link. SRC_DIR/root is the main module requiring all of them.
Writes TREE_DIR/../h1.json: each module's zip h1 from `modgate zip hash`, which the
go command's `.ziphash` files are compared with. Deterministic (fixed seed).
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_serve_data import VERSION, module  # noqa: E402


def main() -> None:
    bin_, tree, src, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rng = random.Random(20261129)
    h1 = {}
    for i in range(n):
        path = f"example.com/badlink/m{i:02d}"
        req = f"\nrequire example.com/badlink/m{i + 1:02d} {VERSION}\n" if i + 1 < n else ""
        files = {f"m{i:02d}.go": f"package m{i:02d}\n\nconst N = {i}\n".encode(),
                 "data/blob.bin": rng.randbytes(rng.randint(20_000, 300_000))}
        module(bin_, tree, src, path, f"module {path}\n\ngo 1.22\n{req}", files)
        zip_ = os.path.join(tree, path, "@v", VERSION + ".zip")
        h1[path] = subprocess.run([bin_, "zip", "hash", zip_], check=True, capture_output=True,
                                  text=True).stdout.strip()
    root = os.path.join(src, "root")
    os.makedirs(root, exist_ok=True)
    reqs = "".join(f"\texample.com/badlink/m{i:02d} {VERSION}\n" for i in range(n))
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(f"module example.com/badlinkroot\n\ngo 1.22\n\nrequire (\n{reqs})\n")
    with open(os.path.join(os.path.dirname(os.path.abspath(tree)), "h1.json"), "w") as f:
        json.dump(h1, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
