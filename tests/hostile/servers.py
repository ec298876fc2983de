"""Throwaway hostile targets on loopback: each misbehaves in one way a real server might.

Built on the stdlib's http.server (the parsing is not what is under test here; what the suite
does with the answers is). Every blocking behaviour waits on the server's stop event, so a test
ends its server promptly, and every thread is a daemon.
"""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.unit.token_support import mint

TOKEN_PATH = "/v3/oauth/token/generate"
HUGE_BYTES = 50 * 1024 * 1024
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.lru_cache(maxsize=1)
def plausible_token() -> str:
    """A well-formed RS256 token (signed by a throwaway key, once): enough to get past preflight."""
    return mint(_KEY)


class _Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    behave: Callable[[_Hostile], None]
    stop: threading.Event

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the suite hung up: the point
            type(self).behave(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def log_message(self, *args: object) -> None:
        pass

    # -- building blocks ----------------------------------------------------------------
    def answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def json(self, status: int, data: object) -> None:
        self.answer(status, json.dumps(data).encode())

    def hang(self) -> None:
        self.stop.wait(120)  # until the test stops the server (bounded even if it never does)
        self.close_connection = True

    def reset(self) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        chunk = b"[" * 65536
        for _ in range(HUGE_BYTES // len(chunk)):
            if self.stop.is_set():
                return
            self.wfile.write(chunk)

    def token(self) -> None:
        self.json(200, {"data": {"accessToken": plausible_token(), "ttlSeconds": 3600}, "errors": None})


def _resource_or_token(resource: Callable[[_Hostile], None]) -> Callable[[_Hostile], None]:
    """A working token endpoint (and no JWKS); `resource` answers everything else."""
    def behave(handler: _Hostile) -> None:
        if handler.path.startswith(TOKEN_PATH):
            handler.token()
        elif handler.path.startswith("/.well-known/"):
            handler.json(404, {"errors": [{"code": 404, "message": "no such endpoint"}]})
        else:
            resource(handler)
    return behave


def _accept_everything(handler: _Hostile) -> None:
    if handler.path.startswith(TOKEN_PATH):
        handler.token()
        return
    item = {"mobile": "919000000001", "item_status": {"success": "true", "code": 1000, "message": "ok"},
            "registered_till": {"code": "blr.koramangala.till001", "name": "t"}}
    handler.json(200, {"response": {"status": {"success": "true", "code": 200, "message": "SUCCESS"},
                                    "customers": {"customer": [item]}}})


BEHAVIOURS: dict[str, Callable[[_Hostile], None]] = {
    "html-everywhere": lambda h: h.answer(200, b"<html><body>Welcome to nginx!</body></html>", "text/html"),
    "garbage-token": lambda h: h.json(200, {"data": {"accessToken": "notajwt", "ttlSeconds": 3600}, "errors": None}),
    "500-everywhere": lambda h: h.answer(500, b"", "text/plain"),
    "hang-on-token": _Hostile.hang,
    "hang-on-api-only": _resource_or_token(_Hostile.hang),
    "reset": _Hostile.reset,
    "close-without-answer": lambda h: setattr(h, "close_connection", True),
    "non-http-bytes": lambda h: (h.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff garbage\r\n"),
                                 setattr(h, "close_connection", True)),
    "huge-bodies": _resource_or_token(_Hostile.huge),
    "accept-everything": _accept_everything,
}


@contextmanager
def hostile_target(behaviour: str) -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (_Hostile,), {"behave": staticmethod(BEHAVIOURS[behaviour]), "stop": stop})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
