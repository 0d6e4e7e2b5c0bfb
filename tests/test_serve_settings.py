"""`facerec serve` under its server settings: uvicorn's parser and loop (the C ones by default, the
pure-Python ones on request) serve the same API, and the access log can be turned off."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.test_server import running_server

pytestmark = pytest.mark.slow  # server processes


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
    env = {"FACEREC_DATA_DIR": str(tmp_path / "data"), "FACEREC_LOG_LEVEL": "INFO", **settings}
    printed: list[str] = []
    with running_server(env, tmp_path, printed) as base:
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
    output = printed[0]
    assert f"serving with {stack}" in output, output
    assert ('"POST /v1/faces HTTP/1.1" 201' in output) is access_logged, output
