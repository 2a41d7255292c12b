#!/usr/bin/env python3
"""A GOPROXY that serves a directory tree, slowly or badly on purpose.

usage: goproxy.py DIR ADDR PORT [--rate BYTES_PER_S] [--stall PCT] [--fail PCT] [--cut PCT]
                  [--seed N]

Serves DIR (the layout of a `file://` GOPROXY: `<path>/@v/list`, `<v>.info`, `.mod`,
`.zip`) over HTTP/1.1 with keep-alive; a missing file is 404. Faults no real upstream
produces on demand:

  --rate   each response body is sent at most this fast (per connection), in 64 KiB
           writes, so that a fill takes a while
  --stall  this percentage of requests waits 2 s before answering
  --fail   this percentage of requests is answered 503
  --cut    this percentage of .zip answers sends the full Content-Length, then half of
           the body, then closes the connection

Each fault is drawn independently per request. Every fault is logged on stderr as
`fault KIND PATH`; SIGTERM stops the server.
"""
import argparse
import os
import random
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 64 * 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--stall", type=float, default=0)
    ap.add_argument("--fail", type=float, default=0)
    ap.add_argument("--cut", type=float, default=0)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    root = os.path.realpath(args.dir)
    rng = random.Random(args.seed)
    lock = threading.Lock()

    def draw(pct: float) -> bool:
        with lock:
            return rng.random() * 100 < pct

    def fault(kind: str, path: str) -> None:
        print(f"fault {kind} {path}", file=sys.stderr, flush=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *a):  # noqa: A002 (the base class's name)
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            file = os.path.realpath(os.path.join(root, path.lstrip("/")))
            if not file.startswith(root + os.sep) or not os.path.isfile(file):
                self.answer(404, b"not found\n")
                return
            if draw(args.stall):
                fault("stall", path)
                time.sleep(2)
            if draw(args.fail):
                fault("503", path)
                self.answer(503, b"injected failure\n")
                return
            with open(file, "rb") as f:
                body = f.read()
            cut = path.endswith(".zip") and draw(args.cut)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            end = len(body)
            if cut:
                fault("cut", path)
                end //= 2
                self.close_connection = True
            start = time.monotonic()
            for off in range(0, end, CHUNK):
                self.wfile.write(body[off:min(off + CHUNK, end)])
                if args.rate > 0:
                    # Sleep until the bytes sent so far fit the rate.
                    ahead = (off + CHUNK) / args.rate - (time.monotonic() - start)
                    if ahead > 0:
                        time.sleep(ahead)
            self.wfile.flush()

        def answer(self, code: int, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 128

        def handle_error(self, request, client_address):
            # A client that goes away mid-answer (a killed modgate, a reset link) is
            # expected here; anything else is printed.
            if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                super().handle_error(request, client_address)

    server = Server((args.addr, args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
