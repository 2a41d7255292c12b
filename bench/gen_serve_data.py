#!/usr/bin/env python3
"""Generates the module store for bench/serve.

usage: gen_serve_data.py MODGATE_BIN DATA_DIR SRC_DIR

DATA_DIR gets the layout `modgate serve --data` and a `file://` GOPROXY both use
(`<escaped path>/@v/list`, `<escaped path>/@v/<v>.{info,mod,zip}`); SRC_DIR gets the
module sources the zips are made from (with `modgate zip create`) and the root module
of the `go mod download` graph (`SRC_DIR/graph-root`).

Modules (all v1.0.0, lower-case paths so escaping is the identity):
  example.com/bench/small        a tiny module (the .info/.mod rows)
  example.com/bench/onemb        ~1 MB zip of random (incompressible) files
  example.com/bench/fiftymb      ~50 MB zip of random files
  example.com/graph/mNNN         100 small modules; mNNN requires m(NNN+1), and the
                                 root module requires all of them
Content is deterministic (fixed seed), so re-running gives the same bytes.
"""
import os
import random
import sys

from proxytree import add_version

VERSION = "v1.0.0"
GRAPH = 100


def module(bin_, data, src, path, gomod, files):
    """Writes the module's sources, then its list/.info/.mod/.zip into the store."""
    root = os.path.join(src, path)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(gomod)
    for name, content in files.items():
        p = os.path.join(root, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(content)
    add_version(bin_, data, root, path, VERSION, gomod, "2026-01-01T00:00:00Z")


def random_files(rng, total, per_file):
    out, i = {}, 0
    while total > 0:
        n = min(per_file, total)
        out[f"data/blob{i:03d}.bin"] = rng.randbytes(n)
        total -= n
        i += 1
    return out


def main() -> None:
    bin_, data, src = sys.argv[1], sys.argv[2], sys.argv[3]
    rng = random.Random(20261126)
    go_src = b"package small\n\n// Answer is the answer.\nconst Answer = 42\n"
    module(bin_, data, src, "example.com/bench/small",
           "module example.com/bench/small\n\ngo 1.22\n", {"small.go": go_src})
    module(bin_, data, src, "example.com/bench/onemb",
           "module example.com/bench/onemb\n\ngo 1.22\n",
           random_files(rng, 1_000_000, 250_000))
    module(bin_, data, src, "example.com/bench/fiftymb",
           "module example.com/bench/fiftymb\n\ngo 1.22\n",
           random_files(rng, 50_000_000, 10_000_000))
    for i in range(GRAPH):
        path = f"example.com/graph/m{i:03d}"
        req = ""
        if i + 1 < GRAPH:
            req = f"\nrequire example.com/graph/m{i + 1:03d} {VERSION}\n"
        gomod = f"module {path}\n\ngo 1.22\n{req}"
        code = f"package m{i:03d}\n\n// N is this module's number.\nconst N = {i}\n"
        module(bin_, data, src, path, gomod, {f"m{i:03d}.go": code.encode()})
    root = os.path.join(src, "graph-root")
    os.makedirs(root, exist_ok=True)
    reqs = "".join(f"\texample.com/graph/m{i:03d} {VERSION}\n" for i in range(GRAPH))
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(f"module example.com/graphroot\n\ngo 1.22\n\nrequire (\n{reqs})\n")


if __name__ == "__main__":
    main()
