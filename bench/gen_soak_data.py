#!/usr/bin/env python3
"""Generates the upstream tree for bench/soak.

usage: gen_soak_data.py MODGATE_BIN TREE_DIR SRC_DIR COLD_MODULES HOT_MODULES JOBS

TREE_DIR gets a `file://` GOPROXY tree (`<path>/@v/list`, `<v>.info`, `<v>.mod`,
`<v>.zip`); SRC_DIR the module sources the zips are made from, each zip with
`modgate zip create` (JOBS at a time). Modules, all lower-case paths (escaping is the
identity), each v1.0.0 with one small Go file and a 1-4 KiB data file:

  example.com/soak/cNNNNNN   COLD_MODULES modules, fetched once each during the soak
  example.com/soak/hot/hNNN  HOT_MODULES modules, stored before the soak and read over
                             and over

Writes TREE_DIR/../cold.txt (the cold request paths in the order a go command asks
for them: .info, .mod, .zip of each module) and TREE_DIR/../hot.txt (each hot module's
@v/list, .info, .mod and .zip). Content is deterministic (fixed seed).
"""
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

VERSION = "v1.0.0"
INFO = '{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}\n'


def write_sources(tree, src, path, rng):
    """Writes a module's sources and its list/.info/.mod; returns the zip job."""
    name = path.rsplit("/", 1)[1]
    gomod = f"module {path}\n\ngo 1.22\n"
    root = os.path.join(src, path)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(gomod)
    with open(os.path.join(root, f"{name}.go"), "w") as f:
        f.write(f'package {name}\n\n// Name is this module\'s name.\nconst Name = "{name}"\n')
    with open(os.path.join(root, "data.bin"), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 4096)))
    v = os.path.join(tree, path, "@v")
    os.makedirs(v, exist_ok=True)
    with open(os.path.join(v, "list"), "w") as f:
        f.write(VERSION + "\n")
    with open(os.path.join(v, VERSION + ".info"), "w") as f:
        f.write(INFO)
    with open(os.path.join(v, VERSION + ".mod"), "w") as f:
        f.write(gomod)
    return (root, path, os.path.join(v, VERSION + ".zip"))


def main() -> None:
    bin_, tree, src = sys.argv[1], sys.argv[2], sys.argv[3]
    cold, hot, jobs = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    rng = random.Random(20261127)
    cold_paths = [f"example.com/soak/c{i:06d}" for i in range(cold)]
    hot_paths = [f"example.com/soak/hot/h{i:03d}" for i in range(hot)]
    work = [write_sources(tree, src, p, rng) for p in cold_paths + hot_paths]

    def zip_create(job):
        root, path, out = job
        subprocess.run([bin_, "zip", "create", root, "--module", path, "--version", VERSION,
                        "-o", out], check=True, stdout=subprocess.DEVNULL)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for _ in pool.map(zip_create, work):
            pass

    base = os.path.dirname(os.path.abspath(tree))
    with open(os.path.join(base, "cold.txt"), "w") as f:
        for p in cold_paths:
            for ext in ("info", "mod", "zip"):
                f.write(f"/{p}/@v/{VERSION}.{ext}\n")
    with open(os.path.join(base, "hot.txt"), "w") as f:
        for p in hot_paths:
            f.write(f"/{p}/@v/list\n")
            for ext in ("info", "mod", "zip"):
                f.write(f"/{p}/@v/{VERSION}.{ext}\n")


if __name__ == "__main__":
    main()
