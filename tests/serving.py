"""A real server over real HTTP, for the tests and the benchmarks alike: ``facerec serve`` (or another
command that takes ``--port``) in its own process on a free port, handed over once /ready answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import facerec_command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A started server: where it answers, its process, and the file its output goes to."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        """All the server has printed so far (all of it, once the server has stopped)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(
    env: Mapping[str, str],
    *,
    log: Path,
    command: Sequence[str] | None = None,
    cwd: Path | None = None,
    ready_within_s: float = 60,
    poll_s: float = 0.2,
) -> Iterator[Server]:
    """``command --port PORT`` (``facerec serve`` by default) with exactly the environment ``env``,
    its output appended to ``log``; handed over once GET /ready answers 200. On leaving, the server
    gets SIGTERM and is waited for (killed if it has not stopped after 30 s); where the block
    raised, the end of its log is printed to stderr."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [*(command or [*facerec_command(), "serve"]), "--port", str(port)],
            env=dict(env),
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(base, process, log)
    try:
        deadline = time.monotonic() + ready_within_s
        while not _ready(base):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited before it was ready:\n{_tail(server)}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the server was not ready in {ready_within_s} s:\n{_tail(server)}"
                )
            time.sleep(poll_s)
        yield server
    except BaseException:
        print(f"the server's log ends with:\n{_tail(server)}", file=sys.stderr)
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _tail(server: Server) -> str:
    return server.output()[-3000:]
