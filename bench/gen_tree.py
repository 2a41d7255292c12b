#!/usr/bin/env python3
"""Generates a deterministic module tree for the benchmarks.

usage: gen_tree.py DIR TOTAL_MB FILES

Files have sizes spread around TOTAL_MB/FILES (some tiny, some large), live in
nested package directories, and hold pseudo-random bytes (incompressible, the
worst case for zip creation). A go.mod sits at the root. Re-running with the
same arguments produces the same bytes.
"""
import os
import random
import sys


def main() -> None:
    root, total_mb, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    total = total_mb * 1_000_000
    rng = random.Random(20261126)
    # Sizes: log-uniform-ish spread, then scaled so they add up to `total`.
    raw = [rng.lognormvariate(0, 1.2) for _ in range(count - 1)]
    scale = (total - 64) / sum(raw)
    sizes = [max(1, int(r * scale)) for r in raw]
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "go.mod"), "w") as f:
        f.write("module example.com/bench\n\ngo 1.22\n")
    block = rng.randbytes(1 << 20)
    for i, size in enumerate(sizes):
        d = os.path.join(root, f"pkg{i % 50:02d}", f"sub{(i // 50) % 20:02d}")
        os.makedirs(d, exist_ok=True)
        off = (i * 7919) % (len(block) // 2)
        with open(os.path.join(d, f"file{i:05d}.go"), "wb") as f:
            left = size
            while left > 0:
                n = min(left, len(block) - off)
                f.write(block[off:off + n])
                left -= n
                off = 0


if __name__ == "__main__":
    main()
