"""A real `lightrail serve` process on a free port, on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import JWT_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    workdir = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "LIGHTRAIL_DATABASE_URL": database_url,
        "LIGHTRAIL_JWT_SECRET": JWT_SECRET,
        "LIGHTRAIL_WEBHOOK_ALLOW_INSECURE": "true",
    }
    log = open(workdir / "serve.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "lightrail", "serve", "--port", str(port)],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/v2/healthCheck", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start: " + Path(workdir / "serve.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
