"""GET /v1/logs over the real app, on SQLite and on MariaDB: the rows real requests wrote, filtered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import enroll, identify, make_settings, start_app

LOG_FIELDS = {
    "log_id",
    "operation",
    "result",
    "similarity",
    "threshold",
    "person_type",
    "person_id",
    "face_id",
    "model_pack",
    "client",
    "created_at",
}


def logs(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/logs", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_identify_attempts_are_listed_by_operation_result_and_person(
    client: TestClient, samples: Path
) -> None:
    enrolled = enroll(client, samples / "yaoming.jpg", "student", "S-001").json()
    found = identify(client, samples / "players.jpg").json()
    faces = found["faces"]
    [match] = [f["match"] for f in faces if f["match"]]

    everything = logs(client)
    assert everything["total"] == len(faces) + 1
    assert (everything["limit"], everything["offset"]) == (100, 0)
    assert everything["items"][0]["operation"] == "identify"  # newest first
    assert everything["items"][-1]["operation"] == "enroll"
    for entry in everything["items"]:  # results and scores only: no embedding, no image, no box
        assert set(entry) == LOG_FIELDS
        assert not any(isinstance(value, list | dict) for value in entry.values())
        assert entry["client"] == "testclient" and entry["model_pack"] == "bundled"
        assert datetime.fromisoformat(entry["created_at"]).utcoffset() == timedelta(0)

    identified = logs(client, operation="identify")
    assert identified["total"] == len(faces)
    assert {e["threshold"] for e in identified["items"]} == {found["threshold"]}
    assert sorted(e["result"] for e in identified["items"]) == sorted(f["decision"] for f in faces)

    [matched] = logs(client, result="match")["items"]
    assert (matched["person_type"], matched["person_id"]) == ("student", "S-001")
    assert matched["face_id"] == enrolled["face_id"] == match["face_id"]
    assert matched["similarity"] == pytest.approx(match["similarity"], abs=1e-3)

    person = logs(client, person_type="student", person_id="S-001")["items"]
    assert [(e["operation"], e["result"]) for e in person] == [
        ("identify", "match"),
        ("enroll", "enrolled"),
    ]
    assert logs(client, person_type="teacher")["total"] == 0
    strong = logs(client, min_similarity=found["threshold"])["items"]
    assert strong and all(e["similarity"] >= found["threshold"] for e in strong)

    page = logs(client, limit=2, offset=1)
    assert page["total"] == len(faces) + 1
    assert [e["log_id"] for e in page["items"]] == [e["log_id"] for e in everything["items"][1:3]]


def test_times_with_a_zone_are_converted_to_utc(client: TestClient, samples: Path) -> None:
    identify(client, samples / "gdp.jpg")  # five faces, five rows
    before = datetime.now(UTC) - timedelta(minutes=10)
    east = before.astimezone(timezone(timedelta(hours=5)))  # the same instant, 5 hours ahead
    assert logs(client, since=east.isoformat())["total"] == 5
    assert logs(client, until=east.isoformat())["total"] == 0
    naive_utc = before.replace(tzinfo=None).isoformat()  # no zone: taken as UTC
    assert logs(client, since=naive_utc)["total"] == 5
    later = (before + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert logs(client, since=naive_utc, until=later)["total"] == 5


@pytest.fixture(scope="module")
def plain_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app on SQLite for the checks that never reach the database."""
    with TestClient(start_app(make_settings(tmp_path_factory.mktemp("plain")))) as client:
        yield client


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"person_type": "alien"}, "person_type"),
        ({"person_id": "S-001"}, "needs person_type"),
        ({"person_type": "student", "person_id": "../x"}, "person_id"),
        ({"operation": "Identify; DROP"}, "operation"),
        ({"operation": "nonsense"}, "operation"),  # well-formed but not an operation: not []
        ({"result": ""}, "result"),
        ({"result": "nonsense"}, "result"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2025-03-02T00:00:00", "until": "2025-03-01T00:00:00"}, "before until"),
        ({"min_similarity": "2"}, "min_similarity"),
        ({"min_similarity": "0.5", "max_similarity": "0.4"}, "min_similarity"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "out of range"),
    ],
)
def test_bad_filters_are_invalid_input(
    plain_client: TestClient, params: dict[str, str], message: str
) -> None:
    response = plain_client.get("/v1/logs", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and message in error["message"]


def test_logs_and_their_pruning_need_an_api_key(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, api_keys=["k1"])
    with TestClient(start_app(settings)) as client:
        for method, path in (("GET", "/v1/logs"), ("POST", "/v1/admin/logs/prune")):
            refused = client.request(method, path)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
            wrong = client.request(method, path, headers={"X-API-Key": "k2"})
            assert wrong.status_code == 401
            assert client.request(method, path, headers={"X-API-Key": "k1"}).status_code == 200
