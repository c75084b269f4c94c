"""A real HTTP endpoint for delivery tests: records what it receives, answers as each test scripts it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    base_url: str
    received: list[Received] = field(default_factory=list)
    # Per path: statuses to answer in turn (then 200), and seconds to wait before answering.
    script: dict[str, list[int]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.at(path)) >= count:
                return self.at(path)
            time.sleep(0.02)
        raise AssertionError(f"{path}: expected {count} deliveries, got {len(self.at(path))}")


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()))
            time.sleep(receiver.delays.get(self.path, 0))
            statuses = receiver.script.get(self.path) or []
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"{receiver.base_url}/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            try:
                self.wfile.write(b"ok")
            except OSError:
                pass

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
