#!/usr/bin/env python3
"""A cold burst for bench/ha: many clients asking for the same files at once.

usage: ha_burst.py BASE_URL CLIENTS PATH...

Starts CLIENTS threads together (a barrier); each asks BASE_URL for every PATH,
each client in its own rotated order, one request at a time over its own
keep-alive connection. Prints one JSON line: requests, errors (non-200 or broken),
the first few errors, and the latency p50/p99/max in milliseconds.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main() -> None:
    base, clients, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    u = urllib.parse.urlsplit(base)
    barrier = threading.Barrier(clients)
    lat, errors = [], []
    lock = threading.Lock()

    def client(c: int) -> None:
        mine = paths[(c * 7) % len(paths):] + paths[:(c * 7) % len(paths)]
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        barrier.wait()
        for p in mine:
            t = time.perf_counter()
            try:
                conn.request("GET", p)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
                why = f"{p}: {r.status}"
            except Exception as e:  # a broken connection counts as a failed request
                ok, why = False, f"{p}: {e}"
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                if not ok:
                    errors.append(why)

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat.sort()
    q = lambda f: round(lat[min(len(lat) - 1, int(f * len(lat)))], 1)
    print(json.dumps({"requests": len(lat), "errors": len(errors), "first_errors": errors[:5],
                      "p50_ms": q(0.50), "p99_ms": q(0.99), "max_ms": round(lat[-1], 1)}))


if __name__ == "__main__":
    main()
