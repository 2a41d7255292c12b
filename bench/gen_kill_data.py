#!/usr/bin/env python3
"""Generates the upstream tree for bench/kill.

usage: gen_kill_data.py MODGATE_BIN TREE_DIR SRC_DIR COUNT MIN_MB MAX_MB JOBS

COUNT modules example.com/kill/kNNN v1.0.0, each with a zip of MIN_MB..MAX_MB
(uniform; random, incompressible files) made with `modgate zip create` (JOBS at a
time), in the layout of a `file://` GOPROXY. Writes TREE_DIR/../fixtures.json: for
each module path, its zip's h1 (as `zip create` printed it) and size. SRC_DIR is
removed afterwards (the zips are what the bench reads). Deterministic (fixed seed).
"""
import json
import os
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

VERSION = "v1.0.0"
INFO = '{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}\n'
PER_FILE = 1_000_000


def main() -> None:
    bin_, tree, src = sys.argv[1], sys.argv[2], sys.argv[3]
    count, lo, hi, jobs = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
    rng = random.Random(20261128)
    work = []
    for i in range(count):
        path = f"example.com/kill/k{i:03d}"
        size = int(rng.uniform(lo, hi) * 1_000_000)
        root = os.path.join(src, path)
        os.makedirs(os.path.join(root, "data"), exist_ok=True)
        gomod = f"module {path}\n\ngo 1.22\n"
        with open(os.path.join(root, "go.mod"), "w") as f:
            f.write(gomod)
        with open(os.path.join(root, f"k{i:03d}.go"), "w") as f:
            f.write(f"package k{i:03d}\n")
        n = 0
        while size > 0:
            with open(os.path.join(root, "data", f"blob{n:03d}.bin"), "wb") as f:
                f.write(rng.randbytes(min(size, PER_FILE)))
            size -= PER_FILE
            n += 1
        v = os.path.join(tree, path, "@v")
        os.makedirs(v, exist_ok=True)
        with open(os.path.join(v, "list"), "w") as f:
            f.write(VERSION + "\n")
        with open(os.path.join(v, VERSION + ".info"), "w") as f:
            f.write(INFO)
        with open(os.path.join(v, VERSION + ".mod"), "w") as f:
            f.write(gomod)
        work.append((root, path, os.path.join(v, VERSION + ".zip")))

    def zip_create(job):
        root, path, out = job
        r = subprocess.run([bin_, "zip", "create", root, "--module", path, "--version", VERSION,
                            "-o", out], check=True, capture_output=True, text=True)
        h1 = r.stdout.split()[-1]
        assert h1.startswith("h1:"), r.stdout
        return path, {"h1": h1, "size": os.path.getsize(out)}

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        fixtures = dict(pool.map(zip_create, work))
    shutil.rmtree(src)
    with open(os.path.join(os.path.dirname(os.path.abspath(tree)), "fixtures.json"), "w") as f:
        json.dump(fixtures, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
