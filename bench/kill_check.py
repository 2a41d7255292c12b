#!/usr/bin/env python3
"""Checks modgate's data directory after bench/kill.

usage: kill_check.py MODGATE_BIN DATA_DIR TREE_DIR FIXTURES_JSON OUT_JSON

Every visible file (no path element starting with `.`) must be a complete, correct
object: a .zip whose `modgate zip hash` equals the fixture's h1 and whose bytes equal
the tree's zip, a .info/.mod/list equal to the tree's file, and a recorded hash (the
.ziphash/.modhash modgate stores beside a verified .zip/.mod) naming that file's
right h1: the fixture's for a zip, `modgate mod hash` of the tree's .mod for a .mod. Hidden files are counted:
temporary `.tmp-*` files (a killed write's leftovers, which no key can name) and the
rest by directory. Writes the counts to OUT_JSON; exit 1 on any bad object.
"""
import json
import os
import subprocess
import sys
from collections import Counter


def main() -> None:
    bin_, data, tree, fixtures_file, out = sys.argv[1:6]
    fixtures = json.load(open(fixtures_file))
    counts = Counter()
    bad = []
    for dirpath, dirnames, filenames in os.walk(data):
        rel_dir = os.path.relpath(dirpath, data)
        hidden_dir = any(p.startswith(".") for p in rel_dir.split(os.sep) if p != ".")
        for name in filenames:
            rel = os.path.normpath(os.path.join(rel_dir, name))
            file = os.path.join(dirpath, name)
            if name.startswith(".tmp-"):
                counts["hidden .tmp-* files"] += 1
                continue
            if hidden_dir or name.startswith("."):
                counts[f"other hidden files ({rel.split(os.sep)[0]})"] += 1
                continue
            if name.endswith((".ziphash", ".modhash")):
                module = rel.split("/@v/")[0]
                of = os.path.join(tree, rel[: -len("hash")])
                if name.endswith(".ziphash"):
                    right = fixtures.get(module, {}).get("h1")
                elif os.path.isfile(of):
                    right = subprocess.run([bin_, "mod", "hash", of], capture_output=True,
                                           text=True).stdout.strip()
                else:
                    right = None
                got = open(file, "rb").read().decode("utf-8", "replace").strip()
                if right is None:
                    bad.append(f"{rel}: a recorded hash of a file not in the tree")
                elif got != right:
                    bad.append(f"{rel}: records {got!r}, the file's h1 is {right}")
                else:
                    counts[f"stored {name.rsplit('.', 1)[-1]}, correct"] += 1
                continue
            want = os.path.join(tree, rel)
            if not os.path.isfile(want):
                bad.append(f"{rel}: not in the tree")
                continue
            same = open(file, "rb").read() == open(want, "rb").read()
            kind = name.rsplit(".", 1)[-1] if "." in name else name
            if name.endswith(".zip"):
                module = rel.split("/@v/")[0]
                h1 = subprocess.run([bin_, "zip", "hash", file], capture_output=True,
                                    text=True).stdout.strip()
                if h1 != fixtures[module]["h1"]:
                    bad.append(f"{rel}: zip hash {h1!r}, want {fixtures[module]['h1']}")
                    continue
            if not same:
                bad.append(f"{rel}: bytes differ from the tree")
                continue
            counts[f"stored {kind}, correct"] += 1
    result = {"counts": dict(counts), "bad": bad}
    json.dump(result, open(out, "w"), indent=1, sort_keys=True)
    for b in bad:
        print(f"kill_check: {b}", file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
