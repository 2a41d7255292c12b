#!/usr/bin/env python3
"""A git smart-HTTP server for bench/direct: `git http-backend` as a CGI
program behind Python's ThreadingHTTPServer (one thread per request, so the
go command and modgate can both run several git processes against it at
once).

usage: git_http.py REPOS_DIR PORT

Serves every repository under REPOS_DIR (GIT_HTTP_EXPORT_ALL) on 127.0.0.1
only, with protocol v2 (the client's Git-Protocol header is passed on, as
git's own CGI setup does) and gzip request bodies (HTTP_CONTENT_ENCODING).
Each answer is read whole from the CGI program, then sent with its length
(HTTP/1.0, no keep-alive); the repositories are small.
"""
import http.server
import os
import subprocess
import sys
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass  # quiet: the benchmark prints its own table

    def do_GET(self):
        self.cgi()

    def do_POST(self):
        self.cgi()

    def cgi(self):
        url = urllib.parse.urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.server.repos,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.parse.unquote(url.path),
            "QUERY_STRING": url.query,
            "REMOTE_ADDR": self.client_address[0],
            "SERVER_PROTOCOL": "HTTP/1.0",
            "GATEWAY_INTERFACE": "CGI/1.1",
        }
        for header, var in (
            ("Content-Type", "CONTENT_TYPE"),
            ("Content-Length", "CONTENT_LENGTH"),
            ("Content-Encoding", "HTTP_CONTENT_ENCODING"),
            ("Git-Protocol", "GIT_PROTOCOL"),
        ):
            if self.headers.get(header):
                env[var] = self.headers[header]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            proc = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120
            )
        except subprocess.TimeoutExpired:
            self.send_error(504, "git http-backend timed out")
            return
        head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = proc.stdout.partition(b"\n\n")
        if not sep:
            msg = proc.stderr.decode(errors="replace").strip() or "no output"
            self.send_error(500, "git http-backend: " + msg)
            return
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            value = value.strip()
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def main():
    repos, port = sys.argv[1], int(sys.argv[2])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.repos = os.path.abspath(repos)
    server.serve_forever()


if __name__ == "__main__":
    main()
