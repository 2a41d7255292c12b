#!/usr/bin/env python3
"""A GOPROXY upstream for bench/ha that counts what it is asked for.

usage: ha_upstream.py DIR PORT [--zip-delay SECONDS]

Serves DIR (a `file://` GOPROXY layout) on 127.0.0.1:PORT over HTTP/1.1 with
keep-alive; a missing file is 404. `GET /-/hits` answers a JSON object {path: count}
of every other request so far; `POST /-/reset` clears it. --zip-delay holds every
.zip answer back that long, like a slow upstream, so that a burst of clients
overlaps the fetches. SIGTERM stops it.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

hits = {}
lock = threading.Lock()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("port", type=int)
    ap.add_argument("--zip-delay", type=float, default=0.0)
    args = ap.parse_args()
    root = os.path.realpath(args.dir)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body, ctype="application/octet-stream"):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if self.path == "/-/reset":
                with lock:
                    hits.clear()
                return self.reply(200, b"ok\n", "text/plain")
            self.reply(404, b"not found\n", "text/plain")

        def do_GET(self):
            if self.path == "/-/hits":
                with lock:
                    body = json.dumps(hits).encode()
                return self.reply(200, body, "application/json")
            with lock:
                hits[self.path] = hits.get(self.path, 0) + 1
            p = os.path.realpath(os.path.join(root, self.path.lstrip("/")))
            if not p.startswith(root + os.sep) or not os.path.isfile(p):
                return self.reply(404, b"not found\n", "text/plain")
            if p.endswith(".zip") and args.zip_delay > 0:
                time.sleep(args.zip_delay)
            with open(p, "rb") as f:
                self.reply(200, f.read())

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), H)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv.serve_forever()


if __name__ == "__main__":
    main()
