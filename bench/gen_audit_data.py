#!/usr/bin/env python3
"""Generates the module graph for bench/audit.

usage: gen_audit_data.py MODGATE_BIN DATA_DIR SRC_DIR [MODULES]

DATA_DIR gets a `file://` GOPROXY tree (`<path>/@v/list`, `<v>.{info,mod,zip}`,
zips made with `modgate zip create`); SRC_DIR/app the project audited: a main module
requiring every module of the graph at v1.0.0 (a complete, pruned go 1.22 go.mod).

example.com/audit/mNNN (MODULES, default 300), each with v1.0.0, v1.0.1, v1.1.0;
each version requires up to three higher-numbered modules at v1.0.0 (a DAG) and its
package imports theirs; one in ten is deprecated in v1.1.0, one in ten retracts v1.0.0
in v1.1.0. The app's main package imports every module's package, so the packages of
`all` span the whole graph. Deterministic.
"""
import os
import random
import sys

from proxytree import add_version

VERSIONS = ["v1.0.0", "v1.0.1", "v1.1.0"]


def imports(paths):
    return "".join(f"import _ \"{p}\"\n" for p in paths)


def publish(bin_, data, src, path, version, gomod, time, deps):
    root = os.path.join(src, "mods", path + "@" + version)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write(gomod)
    name = path.rsplit("/", 1)[1]
    with open(os.path.join(root, name + ".go"), "w") as f:
        f.write(f"package {name}\n\n{imports(deps)}\n// V is the version.\nconst V = \"{version}\"\n")
    add_version(bin_, data, root, path, version, gomod, time)


def main() -> None:
    bin_, data, src = sys.argv[1], sys.argv[2], sys.argv[3]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    rng = random.Random(20261207)
    path = lambda i: f"example.com/audit/m{i:03d}"
    deps = {i: sorted(rng.sample(range(i + 1, n), min(3, n - i - 1))) for i in range(n)}
    for i in range(n):
        reqs = "".join(f"\t{path(j)} v1.0.0\n" for j in deps[i])
        for k, version in enumerate(VERSIONS):
            head = ""
            tail = ""
            if version == "v1.1.0" and i % 10 == 3:
                head = "// Deprecated: use something else.\n"
            if version == "v1.1.0" and i % 10 == 7:
                tail = "\n// Broken.\nretract v1.0.0\n"
            body = f"\nrequire (\n{reqs})\n" if reqs else ""
            gomod = f"{head}module {path(i)}\n\ngo 1.22\n{body}{tail}"
            time = f"2026-0{k + 1}-{1 + i % 28:02d}T00:00:00Z"
            publish(bin_, data, src, path(i), version, gomod, time, [path(j) for j in deps[i]])
    app = os.path.join(src, "app")
    os.makedirs(app, exist_ok=True)
    reqs = "".join(f"\t{path(i)} v1.0.0\n" for i in range(n))
    with open(os.path.join(app, "go.mod"), "w") as f:
        f.write(f"module example.com/auditapp\n\ngo 1.22\n\nrequire (\n{reqs})\n")
    with open(os.path.join(app, "main.go"), "w") as f:
        f.write(f"package main\n\n{imports(path(i) for i in range(n))}\nfunc main() {{}}\n")


if __name__ == "__main__":
    main()
