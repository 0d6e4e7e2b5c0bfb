"""`facerec serve` under its server settings: uvicorn's parser and loop (the C ones by default, the
pure-Python ones on request) serve the same API, and the access log can be turned off."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import facerec_command, facerec_environment
from tests.test_server import free_port


@pytest.mark.parametrize(
    ("settings", "stack", "access_logged"),
    [
        ({}, "the httptools HTTP parser and the uvloop event loop", True),
        (
            {
                "FACEREC_HTTP_PARSER": "h11",
                "FACEREC_EVENT_LOOP": "asyncio",
                "FACEREC_ACCESS_LOG": "false",
            },
            "the h11 HTTP parser and the asyncio event loop",
            False,
        ),
    ],
)
def test_serve_settings_choose_the_server_stack(
    tmp_path: Path, samples: Path, settings: dict[str, str], stack: str, access_logged: bool
) -> None:
    port = free_port()
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "INFO", **settings}
    process = subprocess.Popen(
        [*facerec_command(), "serve", "--port", str(port)],
        env=facerec_environment(env),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        with (samples / "yaoming.jpg").open("rb") as photo:
            enrolled = httpx.post(
                f"{base}/v1/faces",
                files={"image": ("yaoming.jpg", photo, "image/jpeg")},
                data={"person_type": "student", "person_id": "S-1"},
                timeout=30,
            )
        assert enrolled.status_code == 201, enrolled.text
        with (samples / "yaoming.jpg").open("rb") as photo:
            found = httpx.post(f"{base}/v1/identify", files={"image": photo}, timeout=30)
        assert found.json()["faces"][0]["match"]["person_id"] == "S-1"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"serving with {stack}" in output, output
    assert ('"POST /v1/faces HTTP/1.1" 201' in output) is access_logged, output
