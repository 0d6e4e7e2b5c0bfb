"""Start-up with a large gallery in MariaDB/MySQL: time until ``facerec serve`` answers /ready, the
server's memory (RSS) then, and where the time goes; the index's memory at 1M faces.

Side by side in one run: loading the gallery from the JSON FaceDescriptor column (how every face
was read before the binary copy existed) and from the float32 copy (how it is read now).

    .venv/bin/python bench/startup.py --mysql mysql+pymysql://root@127.0.0.1:3306/test
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import select

sys.path.append(str(Path(__file__).resolve().parent))  # after the standard library
from facerec.domain import unit_embedding
from facerec.store.db import Database
from facerec.store.repositories import iter_embeddings
from facerec.store.tables import FaceData
from gallery import fill, fresh_mysql_database, people_vectors

FACEREC = Path(sys.executable).with_name("facerec")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def load_json_s(database: Database) -> float:
    """The gallery read as before the binary copy: every FaceDescriptor parsed from JSON."""
    started = time.perf_counter()
    query = select(FaceData.FaceID, FaceData.FaceDescriptor).execution_options(yield_per=2000)
    with database.session() as session:
        vectors = [
            unit_embedding(np.asarray(d, dtype=np.float32)) for _, d in session.execute(query)
        ]
    np.vstack(vectors)
    return time.perf_counter() - started


def load_binary_s(database: Database) -> float:
    started = time.perf_counter()
    with database.session() as session:
        vectors = [e.embedding for e in iter_embeddings(session, model_pack="bundled")]
    np.vstack(vectors)
    return time.perf_counter() - started


def serve_until_ready(database_url: str, data_dir: Path) -> tuple[float, float, str]:
    """Seconds from launching ``facerec serve`` to a 200 from /ready, its RSS then, and its
    own 'ready in' line."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FACEREC_")},
        "FACEREC_DATABASE_URL": database_url,
        "FACEREC_DATA_DIR": str(data_dir),
        "FACEREC_PORT": str(port),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(FACEREC), "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read() if process.stdout else "server exited")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        ready_s = time.perf_counter() - started
        rss = rss_mib(process.pid)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    said = next((line for line in output.splitlines() if "ready in" in line), "")
    return ready_s, rss, said.split(": ", 1)[-1]


def index_rss_mib(n_faces: int) -> tuple[float, float]:
    """A fresh Python process's RSS before and after filling the index with n_faces vectors."""
    code = f"""
import sys; sys.path.append({str(Path(__file__).resolve().parent)!r})
from pathlib import Path
from gallery import people_vectors
from facerec.domain import PersonRef, PersonType
from facerec.index.vectors import VectorIndex
def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
before = rss()
index = VectorIndex(model_pack="bundled", dimension=512)
def rows():
    for start in range(0, {n_faces}, 100_000):
        _, faces = people_vectors(min(100_000, {n_faces} - start), seed=start)
        for i, v in enumerate(faces):
            yield start + i, PersonRef(PersonType.STUDENT, f"S{{(start + i) // 2:07d}}"), v
index.replace_all(rows())
print(before, rss())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = (float(x) for x in out.stdout.split())
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mysql", required=True, help="Server URL; a scratch database is made")
    parser.add_argument("--faces", type=int, default=100_000)
    parser.add_argument("--index-sizes", default="100000,1000000")
    parser.add_argument("--out", type=Path, default=Path("bench/results/startup.md"))
    args = parser.parse_args()

    _, faces = people_vectors(args.faces, seed=1)
    with fresh_mysql_database(args.mysql) as url:
        database = Database(url)
        database.migrate()
        fill_s = fill(database, faces)
        print(f"{args.faces:,} faces written in {fill_s:.0f} s", file=sys.stderr)
        json_s = load_json_s(database)
        binary_s = load_binary_s(database)
        database.dispose()
        ready_s, rss, said = serve_until_ready(url, Path(f"/tmp/facerec-bench-{os.getpid()}"))

    lines = [
        f"## Start-up with {args.faces:,} faces in MariaDB\n",
        "| measure | value |",
        "|---|---:|",
        f"| `facerec serve` launched → /ready answers 200 | {ready_s:.1f} s |",
        f"| server RSS at ready | {rss:,.0f} MiB |",
        f"| reading the gallery from FaceDescriptor (JSON), as before | {json_s:.1f} s |",
        f"| reading the gallery from the float32 copy, as now | {binary_s:.1f} s |",
        f"| JSON / binary | {json_s / binary_s:.1f}x |",
        "",
        f"The server's own account: `{said}`",
        "",
        "## The index's memory (RSS of a fresh process holding only the index)\n",
        "| faces | RSS before | RSS after | growth | bytes per face |",
        "|---:|---:|---:|---:|---:|",
    ]
    for n in (int(s) for s in args.index_sizes.split(",")):
        before, after = index_rss_mib(n)
        per_face = (after - before) * 1024 * 1024 / n
        lines.append(
            f"| {n:,} | {before:,.0f} MiB | {after:,.0f} MiB | {after - before:,.0f} MiB "
            f"| {per_face:,.0f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)


if __name__ == "__main__":
    main()
