"""HTTP benchmark: p50/p95/p99 latency and throughput of enroll, verify and identify at 1, 4 and 16
concurrent clients against a real ``facerec serve``, with the model compute of the same photos beside
it, so that overhead = latency - compute at 1 client (the target: at most 15% of compute).

    .venv/bin/python bench/http_overhead.py                          # SQLite in a temporary folder
    .venv/bin/python bench/http_overhead.py --database-url mysql+pymysql://root@127.0.0.1:3306/
    .venv/bin/python bench/http_overhead.py --setting workers=2 --setting intra_op_threads=1
    .venv/bin/python bench/http_overhead.py --setting http_parser=h11 --setting event_loop=asyncio

The server runs as a subprocess (temporary data folder, free port; with ``--database-url``, a fresh
database created on that server and dropped at the end). A gallery is enrolled over HTTP first. Each
client has its own keep-alive connection and sends multipart bodies built beforehand, so that the
client adds as little as possible. The server's CPU time, and its main thread's (uvicorn's event loop),
are read from /proc.

Compute is decode + detect + align + embed of the request's photo(s) in this process, by the engine the
server builds (same settings, same thread counts; both images for verify). The server and this engine
never work at the same time, since they would compete for the cores. Compute is measured twice:

- separately: before the server starts and after it stops, against the 1-client latencies
  measured in between;
- paired: with the server running but idle, one HTTP request, one compute call and one call of the
  service function the route calls (compute + quality gate + index + database + recognition log),
  in blocks of 5 taking turns, back to back within a block as a client sending one request at a time
  sends them (``--pause-ms`` puts a pause before each call: idle cores then make every call start
  cold, as ``bench/results/http-cold.md`` shows). On a machine shared with other work this compares
  figures taken within a second of each other, and the service call splits the overhead into a
  service part and an HTTP part.

The timed requests go through the standard library's ``http.client`` (one keep-alive connection per
client), not httpx, whose own Python layers would add their time to every round trip.

Prints Markdown tables and writes them to ``--out``. A benchmark, not a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path; put it last, so that no module here can
# shadow the standard library (photos.py is still found).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

import argparse  # noqa: E402
import http.client  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator, Mapping  # noqa: E402
from contextlib import AbstractContextManager, ExitStack  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import partial  # noqa: E402

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from facerec.config import Settings  # noqa: E402
from facerec.engine.pipeline import FaceEngine  # noqa: E402
from facerec.service.images import image_decoder  # noqa: E402
from facerec.service.runtime import Runtime, start_runtime  # noqa: E402
from harness import Server, fresh_database, markdown_table, provenance, publish, serve  # noqa: E402
from photos import FACEDATA, SPECIAL_IDENTITIES, Photo, facedata_photos, sample_photo  # noqa: E402

REPO = _HERE.parent
TARGET_OVERHEAD = 0.15
BLOCK = 5  # paired calls of one kind in a row (after an untimed one)


@dataclass(frozen=True)
class Case:
    """One benchmarked request: the route, its photos, and how its compute is measured."""

    label: str
    path: str
    photos: tuple[Photo, ...]
    status: int
    requests: int
    analyze_all: bool = False  # identify embeds every face; enroll and verify the largest only

    def body(self, i: int, run: str) -> tuple[bytes, dict[str, str]]:
        """The multipart body of request ``i`` (enroll: a new person each time)."""
        if self.path == "/v1/faces":
            data = {"person_type": "student", "person_id": f"b{run}-{i}", "allow_duplicate": "true"}
            files = {"image": _part(self.photos[0])}
        elif self.path == "/v1/verify":
            data, files = {}, {"image1": _part(self.photos[0]), "image2": _part(self.photos[1])}
        else:
            data, files = {"top_k": "5"}, {"image": _part(self.photos[0])}
        request = httpx.Request("POST", "http://x" + self.path, data=data, files=files)
        return request.read(), {"Content-Type": request.headers["Content-Type"]}


def _part(photo: Photo) -> tuple[str, bytes, str]:
    return (Path(photo.name).name, photo.data, "image/jpeg")


class Connection:
    """One keep-alive connection of the standard library's ``http.client``: the timed requests go
    through it rather than httpx, whose own Python layers add their time to every round trip: the
    client's cost, not the server's."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self._conn = http.client.HTTPConnection(host, int(port), timeout=300)

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        self._conn.request("POST", path, body=body, headers=headers)
        response = self._conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def get(self, path: str) -> int:
        self._conn.request("GET", path)
        response = self._conn.getresponse()
        response.read()
        return response.status

    def close(self) -> None:
        self._conn.close()


# ---------------------------------------------------------------------------------------- photos


@dataclass(frozen=True)
class Photos:
    gallery: tuple[tuple[str, Photo], ...]  # (person id, photo)
    verify_pair: tuple[Photo, Photo]
    probe: Photo  # another photo of a gallery person
    enroll: Photo  # a small portrait
    enroll_camera: Photo  # a camera photo of the size an enrollment usually uploads
    group: Photo


def choose_photos(facedata: Path, gallery_size: int) -> Photos:
    """One clean single-face photo per labelled person of facedata for the gallery (plus
    yaoming.jpg); the first person with three such photos gives the verify pair and the probe,
    which is also enrolled as a camera photo (deepface's img2.jpg, 338 KiB)."""
    by_person: dict[str, list[Photo]] = {}
    for photo in facedata_photos(facedata):
        clean = photo.tags in ("", "lfw") and photo.faces_expected == 1
        if clean and photo.identity not in SPECIAL_IDENTITIES:
            by_person.setdefault(photo.identity, []).append(photo)
    three = next(photos for photos in by_person.values() if len(photos) >= 3)
    gallery = [(f"p{i:03d}", photos[0]) for i, photos in enumerate(by_person.values())]
    yaoming = sample_photo("yaoming.jpg")
    return Photos(
        gallery=(*gallery[:gallery_size], ("yaoming", yaoming)),
        verify_pair=(three[1], three[2]),
        probe=three[1],
        enroll=yaoming,
        enroll_camera=three[1],
        group=sample_photo("players.jpg"),
    )


def describe(photo: Photo) -> str:
    pixels = photo.pixels()
    return f"{photo.name} ({pixels.shape[1]}x{pixels.shape[0]} px, {len(photo.data) // 1024} KiB)"


def cases_of(photos: Photos, *, requests: int, group_requests: int) -> list[Case]:
    return [
        Case("enroll", "/v1/faces", (photos.enroll,), 201, requests),
        Case("enroll, camera photo", "/v1/faces", (photos.enroll_camera,), 201, requests),
        Case("verify", "/v1/verify", photos.verify_pair, 200, requests),
        Case("identify, 1 face", "/v1/identify", (photos.probe,), 200, requests, True),
        Case("identify, 22 faces", "/v1/identify", (photos.group,), 200, group_requests, True),
    ]


# ------------------------------------------------------------------------------ in-process timing


Call = Callable[[], object]


def compute_call(engine: FaceEngine, settings: Settings, case: Case) -> Call:
    """Model compute of one request, as the service does it: decode, detect, align, embed (the
    largest face for enroll and verify, every face for identify)."""

    decode = image_decoder(settings)  # the server's decoding (large JPEGs reduced by default)

    def once() -> None:
        for photo in case.photos:
            image = decode(photo.data)
            found = engine.analyze(image) if case.analyze_all else engine.largest_face(image)
            assert found, f"no face in {photo.name}"

    return once


def service_call(runtime: Runtime, case: Case) -> Call:
    """The service function the route calls, with the same arguments."""
    from facerec.service import faces, recognition

    photos = [p.data for p in case.photos]
    if case.path == "/v1/faces":
        return lambda: faces.enroll(
            runtime.recognizer,
            image=photos[0],
            ref=faces.person_ref("student", f"s{uuid.uuid4().hex[:12]}"),
            name=None,
            overrides=faces.Overrides(duplicate=True),
            client="127.0.0.1",
        )
    if case.path == "/v1/verify":
        return lambda: recognition.verify(
            runtime.recognizer,
            image1=photos[0],
            image2=photos[1],
            threshold=None,
            client="127.0.0.1",
        )
    return lambda: recognition.identify(
        runtime.recognizer, image=photos[0], threshold=None, top_k=5, client="127.0.0.1"
    )


def compute_alone(settings: Settings, cases: list[Case], repeats: int) -> dict[str, list[float]]:
    """Compute of each request, wall-clock ms, with no server running."""
    from facerec.service.runtime import load_engine

    engine = load_engine(settings)
    engine.warm_up()
    measured = {}
    for case in cases:
        call = compute_call(engine, settings, case)
        call()
        measured[case.label] = [_timed(call) for _ in range(repeats)]
    return measured


def _timed(call: Call) -> float:
    """Wall-clock milliseconds of one call."""
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


# --------------------------------------------------------------------------------------- server


def server_cpu_s(server: Server) -> float:
    """CPU seconds the server process has used, all threads (user + system)."""
    return _cpu_s(Path(f"/proc/{server.pid}/stat"))


def event_loop_cpu_s(server: Server) -> float:
    """CPU seconds of the server's main thread, where uvicorn's event loop runs: HTTP parsing,
    multipart, routing, validation, serialisation, logging (the service runs in the worker
    threads)."""
    return _cpu_s(Path(f"/proc/{server.pid}/task/{server.pid}/stat"))


def _cpu_s(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_process(
    env: dict[str, str], log: Path, command: list[str] | None = None
) -> AbstractContextManager[Server]:
    """``facerec serve`` (or ``command``) on a free port, with this process's environment plus
    ``env``, as this process's Settings read them; its output goes to ``log``."""
    return serve({**os.environ, **env}, log=log, command=command, ready_within_s=180)


def enroll_gallery(base: str, photos: Photos) -> int:
    enrolled = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        for person_id, photo in photos.gallery:
            response = client.post(
                "/v1/faces",
                files={"image": _part(photo)},
                data={"person_type": "student", "person_id": person_id},
            )
            enrolled += response.status_code == 201  # refusals (quality, duplicate) are skipped
    return enrolled


# ------------------------------------------------------------------------------------------ load


@dataclass
class Level:
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    server_cpu_s: float = 0.0
    loop_cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q))

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.wall_s

    @property
    def server_cpu_ms(self) -> float:
        return self.server_cpu_s * 1000 / len(self.latencies_ms)

    @property
    def loop_cpu_ms(self) -> float:
        return self.loop_cpu_s * 1000 / len(self.latencies_ms)


Body = tuple[bytes, dict[str, str]]


def run_level(server: Server, case: Case, clients: int) -> Level:
    """Send ``case.requests`` requests from ``clients`` threads, each with its own keep-alive
    connection, each sending its next request as soon as its last answer is in. The first request of
    each client is a warm-up (it opens the connection) and is not counted."""
    run = uuid.uuid4().hex[:6]
    bodies = [case.body(i, run) for i in range(clients + case.requests)]
    level = Level(clients)
    warm, timed_bodies = bodies[:clients], bodies[clients:]
    next_body = iter(range(len(timed_bodies)))
    lock = threading.Lock()
    start, stop = threading.Barrier(clients + 1), threading.Barrier(clients + 1)

    def client_loop(warm_body: Body) -> None:
        client = Connection(server.base)
        try:
            client.post(case.path, *warm_body)
            start.wait()
            while (i := _next(lock, next_body)) is not None:
                began = time.perf_counter()
                status, text = client.post(case.path, *timed_bodies[i])
                elapsed_ms = (time.perf_counter() - began) * 1000
                with lock:
                    level.latencies_ms.append(elapsed_ms)
                    if status != case.status:
                        level.errors.append(f"{status} {text[:200]}")
            stop.wait()  # keep the connection open until every client is done
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(warm[i],)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu, loop_cpu = time.perf_counter(), server_cpu_s(server), event_loop_cpu_s(server)
    stop.wait()
    level.wall_s = time.perf_counter() - began
    level.server_cpu_s = server_cpu_s(server) - cpu
    level.loop_cpu_s = event_loop_cpu_s(server) - loop_cpu
    for thread in threads:
        thread.join()
    if level.errors:
        raise SystemExit(f"{case.label}: {len(level.errors)} failed, e.g. {level.errors[0]}")
    print(
        f"  {case.label} x{clients}: p50 {level.percentile(50):.1f} ms, "
        f"{level.throughput:.1f} req/s",
        flush=True,
    )
    return level


def _next(lock: threading.Lock, counter: Iterator[int]) -> int | None:
    with lock:
        return next(counter, None)


def health_level(server: Server, requests: int) -> Level:
    """GET /health at 1 client: the floor of a round trip (client, uvicorn, routing; no work)."""
    level = Level(1)
    client = Connection(server.base)
    client.get("/health")
    began, cpu, loop_cpu = time.perf_counter(), server_cpu_s(server), event_loop_cpu_s(server)
    for _ in range(requests):
        started = time.perf_counter()
        if client.get("/health") != 200:
            raise SystemExit("GET /health failed")
        level.latencies_ms.append((time.perf_counter() - started) * 1000)
    level.wall_s = time.perf_counter() - began
    level.server_cpu_s = server_cpu_s(server) - cpu
    level.loop_cpu_s = event_loop_cpu_s(server) - loop_cpu
    client.close()
    return level


def paired_health(server: Server, requests: int, *, pause_s: float) -> list[float]:
    """GET /health in the paired turns' rhythm (a pause before each request, so the server and
    this client wait idle in between): the floor of the paired HTTP column (client, kernel, event
    loop, routing; no work), higher than the back-to-back floor of the latency table."""
    latencies = []
    client = Connection(server.base)
    client.get("/health")
    for _ in range(requests):
        time.sleep(pause_s)
        latencies.append(_timed(lambda: client.get("/health")))
    client.close()
    return latencies


@dataclass
class Paired:
    """A request's HTTP latency, compute and service call, taken in turn (wall-clock ms), and the
    server's event-loop CPU per request."""

    wall_ms: dict[str, list[float]] = field(
        default_factory=lambda: {"http": [], "compute": [], "service": []}
    )  # by kind of call; more servers' HTTP requests under their own names
    loop_cpu_ms: float = 0.0

    def p50(self, name: str) -> float:
        return statistics.median(self.wall_ms[name])

    def overhead_ms(self, of: str = "http", over: str = "compute") -> float:
        """Median of the differences between neighbouring calls."""
        return statistics.median(
            a - b for a, b in zip(self.wall_ms[of], self.wall_ms[over], strict=True)
        )


def run_paired(
    server: Server,
    runtime: Runtime,
    settings: Settings,
    case: Case,
    pairs: int,
    *,
    pause_s: float,
    service: bool = True,
    others: Mapping[str, Server] | None = None,
) -> Paired:
    """``pairs`` calls of each: HTTP requests (1 client), compute calls and service calls (none
    when not ``service``), in blocks of ``BLOCK`` after one untimed call, the kinds taking turns
    block by block. Within a block, calls run back to back as a client sending one request at a
    time sends them, so each side's caches hold its own models (calls taken one by one in turn
    would each find the other process's weights in the caches); ``pause_s`` before each call makes
    every call start cold. ``others`` are more servers sent the same request, each a kind of call
    of its own in the same turns."""
    run = uuid.uuid4().hex[:6]
    servers = {"http": server, **(others or {})}
    blocks = -(-pairs // BLOCK)
    bodies = iter([case.body(i, run) for i in range(len(servers) * (pairs + blocks))])
    loop_cpu_s, http_calls = 0.0, 0
    clients = {name: Connection(one.base) for name, one in servers.items()}

    def http(name: str) -> float:
        nonlocal loop_cpu_s, http_calls
        loop, began = event_loop_cpu_s(server), time.perf_counter()
        status, text = clients[name].post(case.path, *next(bodies))
        elapsed_ms = (time.perf_counter() - began) * 1000
        if name == "http":
            loop_cpu_s += event_loop_cpu_s(server) - loop
            http_calls += 1
        if status != case.status:
            raise SystemExit(f"{case.label} ({name}): {status} {text[:200]}")
        return elapsed_ms

    compute = compute_call(runtime.engine, settings, case)
    calls: dict[str, Callable[[], float]] = {name: partial(http, name) for name in servers}
    calls["compute"] = lambda: _timed(compute)
    if service:
        call = service_call(runtime, case)
        calls["service"] = lambda: _timed(call)
    paired = Paired(wall_ms={name: [] for name in calls})
    names = list(calls)
    for block in range(blocks):
        turn = block % len(names)
        for name in names[turn:] + names[:turn]:
            if name in clients:  # uvicorn drops a connection idle for 5 s, as the other blocks
                clients[name].close()  # of a slow request may leave it: the untimed call reconnects
            calls[name]()  # untimed: the block starts warm
            for _ in range(min(BLOCK, pairs - block * BLOCK)):
                if pause_s:
                    time.sleep(pause_s)
                paired.wall_ms[name].append(calls[name]())
    for client in clients.values():
        client.close()
    paired.loop_cpu_ms = loop_cpu_s * 1000 / http_calls
    return paired


FLOORS = {
    "fastapi": "a FastAPI endpoint with enroll's form fields, only the compute (bench/floor_app.py)",
    "asgi": "a bare ASGI app on uvicorn, no framework, only the compute (bench/floor_app.py)",
}


def run_floors(
    server: Server,
    env: dict[str, str],
    folder: Path,
    runtime: Runtime,
    settings: Settings,
    cases: list[Case],
    pairs: int,
    *,
    pause_s: float,
) -> dict[str, Paired]:
    """Each enroll request sent, in the same turns, to ``server`` and to the servers of
    ``bench/floor_app.py``, which take the same request and run only its compute (no database,
    index or log) on the same engine settings, HTTP parser and event loop, and paired with its
    compute: what is left of the 15% for facerec's own work."""
    with ExitStack() as stack:
        floors = {}
        for kind in FLOORS:
            command = [sys.executable, str(_HERE / "floor_app.py"), "--kind", kind]
            log = folder / f"floor-{kind}.log"
            floors[kind] = stack.enter_context(server_process(env, log, command))
        return {
            c.label: run_paired(
                server, runtime, settings, c, pairs, pause_s=pause_s, service=False, others=floors
            )
            for c in cases
            if c.path == "/v1/faces"
        }


# ---------------------------------------------------------------------------------------- report


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def spread(samples: list[float]) -> str:
    low, high = np.percentile(samples, [10, 90])
    return f"{low:.0f}-{high:.0f}"


def settings_table(settings: Settings, info: dict[str, object], extra: dict[str, str]) -> str:
    parser, loop = settings.server_stack()
    logged = settings.access_log and settings.log_level.upper() in ("DEBUG", "INFO")
    access_log = "on" if logged else "off"
    rows = [
        (
            "server (FACEREC_EVENT_LOOP, FACEREC_HTTP_PARSER)",
            f"`facerec serve`: 1 uvicorn process, {loop} loop ({settings.event_loop}), "
            f"{parser} parser ({settings.http_parser})",
        ),
        ("FACEREC_WORKERS (thread pool for inference and database)", settings.workers),
        ("FACEREC_INTRA_OP_THREADS (0: ONNX Runtime's default)", settings.intra_op_threads),
        ("FACEREC_INTER_OP_THREADS", settings.inter_op_threads),
        ("provider", info.get("provider", "?")),
        ("model pack", info.get("model_pack", settings.model_pack)),
        ("detector input", f"{settings.det_size_px} px"),
        ("database", info.get("database", "?")),
        (
            "FACEREC_INDEX_SYNC_INTERVAL_S (0: a look before every search)",
            settings.index_sync_interval_s,
        ),
        (
            "log level (uvicorn access log: FACEREC_ACCESS_LOG)",
            f"{settings.log_level} ({access_log})",
        ),
        ("CPU cores (os.cpu_count)", os.cpu_count()),
        *extra.items(),
    ]
    return markdown_table(["setting", "value"], rows, "ll")


def latency_table(results: dict[str, dict[int, Level]], health: Level) -> str:
    columns = ["request", "clients", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s"]
    columns += ["server CPU ms/req", "of which event loop"]
    rows = [
        [
            label,
            level.clients,
            len(level.latencies_ms),
            *(f"{level.percentile(q):.1f}" for q in (50, 95, 99)),
            *(f"{x:.1f}" for x in (level.throughput, level.server_cpu_ms, level.loop_cpu_ms)),
        ]
        for label, levels in [*results.items(), ("GET /health (floor)", {1: health})]
        for level in levels.values()
    ]
    return markdown_table(columns, rows)


def paired_table(paired: dict[str, Paired]) -> str:
    columns = ["request", "compute ms", "service ms", "HTTP ms", "overhead ms"]
    columns += ["overhead % of compute", "of which service ms", "of which HTTP ms"]
    columns += ["event loop CPU ms", "≤ 15%"]
    rows = []
    for label, one in paired.items():
        share = one.overhead_ms() / one.p50("compute")
        milliseconds = [
            *(one.p50(kind) for kind in ("compute", "service", "http")),
            one.overhead_ms(),
        ]
        parts = [one.overhead_ms("service"), one.overhead_ms("http", "service"), one.loop_cpu_ms]
        rows.append(
            [
                label,
                *(f"{ms:.1f}" for ms in milliseconds),
                f"{share:.0%}",
                *(f"{ms:.1f}" for ms in parts),
                "yes" if share <= TARGET_OVERHEAD else "no",
            ]
        )
    return markdown_table(columns, rows, "lrrrrrrrrc")


def floor_table(floors: dict[str, Paired]) -> str:
    columns = ["request", "server", "compute ms", "HTTP ms", "overhead ms"]
    rows = []
    for label, one in floors.items():
        compute = one.p50("compute")
        for name, server in ({"http": "`facerec serve`"} | FLOORS).items():
            overhead = one.overhead_ms(of=name)
            milliseconds = (compute, one.p50(name), overhead)
            rows.append(
                [label, server, *(f"{ms:.1f}" for ms in milliseconds), f"{overhead / compute:.0%}"]
            )
    return markdown_table([*columns, "overhead % of compute"], rows, "llrrrr")


def separate_table(
    results: dict[str, dict[int, Level]],
    before: dict[str, list[float]],
    after: dict[str, list[float]],
) -> str:
    columns = ["request", "compute before ms", "compute after ms", "HTTP ms (1 client)"]
    rows = []
    for label, levels in results.items():
        compute = p50(before[label] + after[label])
        http = levels[1].latencies_ms
        samples = (before[label], after[label], http)
        rows.append(
            [
                label,
                *(f"{p50(ms):.1f} ({spread(ms)})" for ms in samples),
                f"{(p50(http) - compute) / compute:.0%}",
            ]
        )
    return markdown_table([*columns, "overhead % of compute"], rows)


# ------------------------------------------------------------------------------------------ main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "http.md")
    parser.add_argument(
        "--database-url",
        help="a MySQL/MariaDB server (mysql+pymysql://user@host:3306/); a fresh database is "
        "created on it and dropped afterwards. Default: SQLite in a temporary folder",
    )
    parser.add_argument("--facedata", type=Path, default=FACEDATA)
    parser.add_argument("--gallery", type=int, default=50, help="people enrolled first")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="REQUEST",
        help="run only the requests whose label starts with this (e.g. enroll); repeatable",
    )
    parser.add_argument("--requests", type=int, default=32, help="timed requests per level")
    parser.add_argument("--group-requests", type=int, default=16, help="the same, 22-face photo")
    parser.add_argument(
        "--pairs", type=int, default=40, help="paired turns (fewer for the 22-face photo)"
    )
    parser.add_argument(
        "--floor-pairs", type=int, default=60, help="turns of each enroll request in the floor"
    )
    parser.add_argument("--repeats", type=int, default=12, help="compute runs before and after")
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=0,
        help="pause before each paired call (0: back to back; 20 shows the cost of starting cold)",
    )
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting for both the server and the in-process engine, e.g. workers=2",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    levels = [int(c) for c in args.clients.split(",") if c]
    photos = choose_photos(args.facedata, args.gallery)
    cases = [
        c
        for c in cases_of(photos, requests=args.requests, group_requests=args.group_requests)
        if not args.only or any(c.label.startswith(o) for o in args.only)
    ]
    overrides = dict(s.split("=", 1) for s in args.setting)
    started = time.monotonic()
    loads: dict[str, float] = {}

    def pairs(requests: int) -> int:  # as many turns per request as its share of the requests
        return max(3, int(args.pairs) * requests // int(args.requests))

    with (
        tempfile.TemporaryDirectory(prefix="facerec-bench-http-") as folder,
        fresh_database(args.database_url) as database_url,
    ):
        env = {f"FACEREC_{k.upper()}": v for k, v in overrides.items()}
        env["FACEREC_DATA_DIR"] = str(Path(folder) / "data")
        if database_url:
            env["FACEREC_DATABASE_URL"] = database_url
        # The server reads the same environment (and .env) plus these; so does this Settings.
        settings = Settings(**{k.removeprefix("FACEREC_").lower(): v for k, v in env.items()})

        loads["compute before"] = os.getloadavg()[0]
        print("compute, no server running ...", flush=True)
        before = compute_alone(settings, cases, args.repeats)

        loads["server"] = os.getloadavg()[0]
        print("server ...", flush=True)
        with server_process(env, Path(folder) / "server.log") as server:
            enrolled = enroll_gallery(server.base, photos)
            info = httpx.get(f"{server.base}/v1/info").json()
            health = health_level(server, args.requests)
            results = {c.label: {n: run_level(server, c, n) for n in levels} for c in cases}
            loads["paired"] = os.getloadavg()[0]
            print("paired: HTTP, compute and service in turn ...", flush=True)
            runtime = start_runtime(settings)
            try:
                paired = {
                    c.label: run_paired(
                        server,
                        runtime,
                        settings,
                        c,
                        pairs(c.requests),
                        pause_s=args.pause_ms / 1000,
                    )
                    for c in cases
                }
            finally:
                runtime.close()
            health_paired = paired_health(server, args.pairs, pause_s=args.pause_ms / 1000)
            print(
                "floor: enroll against servers that only compute, in the same turns ...", flush=True
            )
            runtime = start_runtime(settings)
            try:
                floors = run_floors(
                    server,
                    env,
                    Path(folder),
                    runtime,
                    settings,
                    cases,
                    args.floor_pairs,
                    pause_s=args.pause_ms / 1000,
                )
            finally:
                runtime.close()

        loads["compute after"] = os.getloadavg()[0]
        print("compute, server stopped ...", flush=True)
        after = compute_alone(settings, cases, args.repeats)

    photo_text = (
        f"gallery: {enrolled} people enrolled of {len(photos.gallery)} offered (one facedata "
        "photo each, plus yaoming.jpg); enroll: "
        f"{describe(photos.enroll)}, and {describe(photos.enroll_camera)}, a new person each "
        "time (allow_duplicate); verify: "
        f"{describe(photos.verify_pair[0])} + {describe(photos.verify_pair[1])}; identify: "
        f"{describe(photos.probe)}, and {describe(photos.group)}"
    )
    extra = {
        "photos": photo_text,
        "requests per level": f"{args.requests} ({args.group_requests} for the 22-face photo) "
        "after one warm-up request per client",
        "paired": f"{args.pairs} turns per request ({pairs(args.group_requests)} for the 22-face photo), "
        + (f"{args.pause_ms:.0f} ms pause before each call" if args.pause_ms else "back to back"),
        "client": "http.client (standard library), one keep-alive connection per client",
        "load average (1 min) at each phase": ", ".join(f"{k} {v:.1f}" for k, v in loads.items()),
        "run time": f"{time.monotonic() - started:.0f} s",
    }
    report = "\n\n".join(
        [
            "# HTTP: latency and throughput against a running server",
            provenance(),
            settings_table(settings, info, extra),
            "## Latency and throughput",
            "Latency as the client sees it (multipart bodies built beforehand, one keep-alive "
            "connection per client); server CPU: the server process's user + system time over "
            "the level, per request (ONNX Runtime's threads spin while they wait for work, so "
            "this is more than the work itself, most at 1 client), and the part of it spent in "
            "its main thread, uvicorn's event loop (HTTP, multipart, routing, validation, JSON, "
            "access log).",
            latency_table(results, health),
            "## Overhead at 1 client (target: ≤ 15% of model compute)",
            "Paired: the server running but idle, HTTP requests, compute calls and service calls "
            "in blocks of 5 taking turns, back to back within a block; compute = decode + detect "
            "+ align + embed of the request's photo(s) by the server's engine settings in this "
            "process; service = the service "
            "function the route calls (compute + quality gate + index + database + recognition "
            "log); overhead = the median of HTTP - compute over the calls of neighbouring blocks, "
            "split into "
            "service - compute and HTTP - service.",
            paired_table(paired),
            "The floor of the HTTP column: GET /health in the same rhythm"
            + (f" (a {args.pause_ms:.0f} ms pause before each request)" if args.pause_ms else "")
            + f" takes {p50(health_paired):.1f} ms (p10 "
            f"{np.percentile(health_paired, 10):.1f}, p90 {np.percentile(health_paired, 90):.1f}): "
            "the client, the kernel and the event loop alone.",
            "## The floor under the overhead",
            f"Each enroll request sent, {args.floor_pairs} times in blocks of {BLOCK} taking "
            "turns with the compute as above, to `facerec serve` and to two servers that take the "
            "same request and run only its compute (no quality gate, duplicate check, database, "
            "index or log), on the same engine settings, HTTP parser and event loop. What they "
            "cost is not facerec's to remove; the rest of the 15% is what facerec's own work may "
            "take.",
            floor_table(floors),
            "Separately, as a cross-check: compute with no server running (before it started and "
            "after it stopped) against the 1-client latencies of the table above; p50 (p10-p90). "
            "Minutes apart on a shared machine, so this one carries the machine's drift.",
            separate_table(results, before, after),
        ]
    )
    publish(report, args.out)


if __name__ == "__main__":
    main()
