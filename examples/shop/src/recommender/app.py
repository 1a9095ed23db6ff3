"""The shop's recommender: suggests products and counts views in the cache.

A small service the team builds from this repository (production runs the image CI pushes). It
reads the catalogue from the api Service and counts views in Redis, both through the cluster
names production uses.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = "1.8.0"
CATALOG_URL = os.environ.get("CATALOG_URL", "http://api.shop.svc.cluster.local/products")
REDIS_ADDR = os.environ.get("REDIS_ADDR", "cache.shop.svc.cluster.local:6379")
PORT = int(os.environ.get("PORT", "8000"))


def redis_incr(key: str) -> int:
    """INCR over Redis's wire protocol (no client library needed)."""
    host, _, port = REDIS_ADDR.partition(":")
    with socket.create_connection((host, int(port or 6379)), timeout=2) as conn:
        conn.sendall(f"*2\r\n$4\r\nINCR\r\n${len(key)}\r\n{key}\r\n".encode())
        reply = conn.recv(64).decode()
    if not reply.startswith(":"):
        raise RuntimeError(f"unexpected Redis reply {reply!r}")
    return int(reply[1:].strip())


def recommendations() -> dict:
    with urllib.request.urlopen(CATALOG_URL, timeout=3) as response:
        products = json.load(response)
    ranked = sorted(products, key=lambda p: p.get("price_cents", 0), reverse=True)
    return {"version": VERSION, "views": redis_incr("recommender:views"),
            "recommended": [p["sku"] for p in ranked[:3]]}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/healthz":
            self._send(200, {"status": "ok", "version": VERSION})
            return
        try:
            self._send(200, recommendations())
        except Exception as exc:  # the catalogue or the cache is not there yet
            self._send(503, {"error": str(exc)})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def stop(signum: int, frame: object) -> None:
    """Leave at once on the kubelet's (or Docker's) SIGTERM: as PID 1, Python would otherwise ignore it and
    be killed only after the whole grace period."""
    raise SystemExit(0)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    print(f"recommender {VERSION} listening on :{PORT}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
