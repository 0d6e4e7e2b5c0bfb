"""The real server over real HTTP: `facerec serve` in its own process, stopped and started again."""

from __future__ import annotations

import select
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import facerec_environment
from tests.serving import serve

pytestmark = pytest.mark.slow  # server processes


@contextmanager
def running_server(
    env: dict[str, str], cwd: Path, output: list[str] | None = None
) -> Iterator[str]:
    """``facerec serve`` in its own process, ready; its base URL. On leaving, the server is stopped,
    must have shut down cleanly without logging biometric data, and its output is appended to
    ``output`` when one is given."""
    log = cwd / f"server-{uuid.uuid4().hex[:8]}.log"
    with serve(facerec_environment(env), log=log, cwd=cwd) as server:
        yield server.base
    printed = server.output()
    if output is not None:
        output.append(printed)
    # uvicorn shuts down cleanly on SIGTERM, then re-raises the signal (exit -15).
    assert server.process.returncode in (0, -15) and "Application shutdown complete" in printed, (
        printed
    )
    # Biometric data never reaches the log.
    assert "FaceDescriptor" not in printed and "embedding" not in printed.lower()


def test_served_app_enrolls_identifies_and_survives_a_restart(
    tmp_path: Path, samples: Path, database_url: str | None
) -> None:
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "INFO"}
    if database_url:
        env["FACEREC_DATABASE_URL"] = database_url
    with running_server(env, tmp_path) as base:
        with (samples / "yaoming.jpg").open("rb") as photo:
            enrolled = httpx.post(
                f"{base}/v1/faces",
                files={"image": ("yaoming.jpg", photo, "image/jpeg")},
                data={"person_type": "student", "person_id": "S-42", "name": "Yao Ming"},
                timeout=30,
            )
        assert enrolled.status_code == 201, enrolled.text
        truncated = (samples / "gdp.jpg").read_bytes()[:5000]
        broken = httpx.post(
            f"{base}/v1/identify", files={"image": ("x.jpg", truncated)}, timeout=30
        )
        assert broken.status_code == 400 and broken.json()["error"]["code"] == "corrupt_image"
    if database_url is None:
        assert (tmp_path / "data" / "facerec.db").is_file()
    with running_server(env, tmp_path) as base:
        assert httpx.get(f"{base}/v1/info").json()["faces_indexed"] == 1
        with (samples / "players.jpg").open("rb") as photo:
            found = httpx.post(
                f"{base}/v1/identify", files={"image": ("players.jpg", photo)}, timeout=60
            )
        matches = [f["match"]["person_id"] for f in found.json()["faces"] if f["match"]]
        assert matches == ["S-42"]


def test_a_chunked_upload_past_the_limit_is_refused_while_it_is_still_arriving(
    tmp_path: Path,
) -> None:
    """A body without a Content-Length is counted as it arrives: past the limit (two 20 kB images
    and the 1 MiB multipart envelope) the server answers 413 before the client has sent it all,
    instead of reading and spooling all of it first."""
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_MAX_IMAGE_BYTES": "20000"}
    limit = 2 * 20_000 + 1024 * 1024  # api/app.py
    with running_server(env, tmp_path) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(
                b"POST /v1/detect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: multipart/form-data; boundary=b\r\n\r\n"
            )
            head = b'--b\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(head), head))
            sent, chunk = len(head), b"\xff" * 65536
            answer = b""
            while sent < 64 * 1024 * 1024:  # 64 MiB offered
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    answer = sock.recv(65536)
                    break
                try:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                except OSError:  # the server closed the connection after answering
                    answer = sock.recv(65536)
                    break
                sent += len(chunk)
            answer += _rest_of_response(sock, answer)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b'"code":"image_too_large"' in rest.replace(b" ", b"")
    # Refused at the limit, long before the 64 MiB end (what was sent past it sat in the two
    # sides' socket buffers, a few MiB on loopback).
    assert limit < sent < 16 * 1024 * 1024


def _rest_of_response(sock: socket.socket, start: bytes) -> bytes:
    """Read until the response's headers and its Content-Length of body are in (or it closes)."""
    answer = start
    while True:
        head, found, body = answer.partition(b"\r\n\r\n")
        if found:
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            if len(body) >= length:
                return answer[len(start) :]
        more = sock.recv(65536)
        if not more:
            return answer[len(start) :]
        answer += more
