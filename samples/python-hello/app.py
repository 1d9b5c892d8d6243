"""DeployMind sample: Python HTTP server using only the standard library (http.server).

Env: PORT (default 8000), HOST (default 0.0.0.0), APP_VERSION (default "dev"),
FAIL_HEALTH=1 -> /health answers 503, CRASH_ON_START=1 -> exit 1 at start, SLOW_MS=N -> delay every response.
"""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = os.environ.get("APP_VERSION", "dev")


class Handler(BaseHTTPRequestHandler):
    server_version = "python-hello"

    def do_GET(self):
        slow_ms = int(os.environ.get("SLOW_MS", "0") or "0")
        if slow_ms > 0:
            time.sleep(slow_ms / 1000)
        if self.path == "/health":
            failing = os.environ.get("FAIL_HEALTH") == "1"
            body = {"status": "failing" if failing else "ok", "version": VERSION}
            self._send(503 if failing else 200, "application/json", json.dumps(body, separators=(",", ":")))
        elif self.path == "/":
            page = f"<!doctype html><title>python-hello</title><h1>Hello from python-hello</h1><p>version {VERSION}</p>\n"
            self._send(200, "text/html; charset=utf-8", page)
        else:
            self._send(404, "application/json", json.dumps({"error": "not found"}, separators=(",", ":")))

    def _send(self, status, content_type, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        sys.stdout.write("%s %s\n" % (self.address_string(), format % args))
        sys.stdout.flush()


def main():
    if os.environ.get("CRASH_ON_START") == "1":
        print("CRASH_ON_START=1: exiting with code 1", file=sys.stderr)
        sys.exit(1)
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer((host, port), Handler)

    def stop(signum, frame):
        print(f"signal {signum} received, shutting down", flush=True)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"python-hello {VERSION} listening on http://{host}:{port}", flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
