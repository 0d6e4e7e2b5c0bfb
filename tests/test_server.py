"""The real server over real HTTP: `facerec serve` in its own process, stopped and started again."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import facerec_command, facerec_environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*facerec_command(), "serve", "--port", str(port)],
        env=facerec_environment(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (
                process.stdout.read() if process.stdout else "server exited"
            )
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("server did not become ready in 60 s")
        yield base
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        # uvicorn shuts down cleanly on SIGTERM, then re-raises the signal (exit -15).
        assert process.returncode in (0, -15) and "Application shutdown complete" in output, output
        # Biometric data never reaches the log.
        assert "FaceDescriptor" not in output and "embedding" not in output.lower()


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
