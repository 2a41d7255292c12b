#!/usr/bin/env python3
"""The client loop of bench/kill: fetches modules through modgate while it is killed.

usage: kill_client.py BASE_URL TREE_DIR FIXTURES_JSON STOP_FILE WORKERS OUT_JSON

WORKERS threads loop until STOP_FILE exists: pick a module (one no worker has yet
received whole, while there are any, else any), GET its .info, .mod and .zip from
BASE_URL. Every body is compared with TREE_DIR's file as it arrives: a complete body
(the full Content-Length) must equal the file (and its sha256), a body cut short by
the kill (fewer bytes than its Content-Length, or a chunked body without its end)
must be a prefix of it. Connection refused (modgate down) is retried after
20 ms. Writes the counts to OUT_JSON.
"""
import hashlib
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlparse

VERSION = "v1.0.0"


def main() -> None:
    base, tree, fixtures_file, stop, workers, out = sys.argv[1:7]
    url = urlparse(base)
    modules = sorted(json.load(open(fixtures_file)))
    whole = set()  # modules whose zip some worker received complete
    counts = Counter()
    lock = threading.Lock()

    def bump(key: str) -> None:
        with lock:
            counts[key] += 1

    def fetch(path: str, file: str) -> bool:
        """One GET, checked against file; True when the body arrived complete."""
        kind = path.rsplit(".", 1)[1]
        try:
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            conn.request("GET", path)
            resp = conn.getresponse()
        except ConnectionRefusedError:
            bump("refused")
            time.sleep(0.02)
            return False
        except (OSError, http.client.HTTPException):
            bump("failed before the status line")
            return False
        if resp.status != 200:
            bump(f"status {resp.status}")
            conn.close()
            return False
        # http.client's read(amt) returns b"" at an early end of a Content-Length body
        # instead of raising, so completeness is the length (or, chunked, a clean end).
        length = resp.getheader("Content-Length")
        h = hashlib.sha256()
        n = 0
        prefix = True
        with open(file, "rb") as f:
            try:
                while True:
                    chunk = resp.read(256 * 1024)
                    if not chunk:
                        break
                    h.update(chunk)
                    n += len(chunk)
                    if f.read(len(chunk)) != chunk:
                        prefix = False
                complete = length is None or n == int(length)
            except (OSError, http.client.HTTPException):
                complete = False
        conn.close()
        want = hashlib.sha256(open(file, "rb").read()).hexdigest()
        if complete and n == os.path.getsize(file) and h.hexdigest() == want:
            bump(f"complete {kind}, identical")
            return True
        if complete:
            bump(f"complete {kind}, DIFFERENT")
            print(f"kill_client: {path}: complete body of {n} bytes differs", file=sys.stderr)
            return False
        if prefix:
            bump(f"truncated {kind}, a prefix")
        else:
            bump(f"truncated {kind}, NOT a prefix")
            print(f"kill_client: {path}: truncated body of {n} bytes is not a prefix",
                  file=sys.stderr)
        return False

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while not os.path.exists(stop):
            with lock:
                todo = [m for m in modules if m not in whole] or modules
                m = rng.choice(todo)
            for ext in ("info", "mod", "zip"):
                path = f"/{m}/@v/{VERSION}.{ext}"
                if not fetch(path, os.path.join(tree, path.lstrip("/"))):
                    break
                if ext == "zip":
                    with lock:
                        whole.add(m)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(int(workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump({"counts": dict(counts), "zips_received_whole": len(whole)}, open(out, "w"),
              indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
