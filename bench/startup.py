"""Start-up with a large gallery in MariaDB/MySQL: time until ``facerec serve`` answers /ready, the
server's memory (RSS) then, and where the time goes; the index's memory at 1M faces.

Side by side in one run: reading the gallery from the float32 copy of each face (what facerec reads)
and, as the baseline, from the JSON FaceDescriptor column (every face parsed from JSON).

    .venv/bin/python bench/startup.py --mysql mysql+pymysql://root@127.0.0.1:3306/test
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select

sys.path.append(str(Path(__file__).resolve().parent))  # after the standard library
from facerec.domain import unit_embedding
from facerec.store.db import Database
from facerec.store.repositories import iter_embeddings
from facerec.store.tables import FaceData
from gallery import fill, people_vectors
from harness import facerec_environment, mysql_database, provenance, publish, serve, status_kib


def load_json_s(database: Database) -> float:
    """The gallery read from the FaceDescriptor column: every face parsed from JSON."""
    started = time.perf_counter()
    query = select(FaceData.FaceID, FaceData.FaceDescriptor).execution_options(yield_per=2000)
    with database.session() as session:
        vectors = [
            unit_embedding(np.asarray(d, dtype=np.float32)) for _, d in session.execute(query)
        ]
    np.vstack(vectors)
    return time.perf_counter() - started


def load_binary_s(database: Database) -> float:
    """The gallery read as facerec reads it: the float32 copy of each face."""
    started = time.perf_counter()
    with database.session() as session:
        vectors = [e.embedding for e in iter_embeddings(session, model_pack="bundled")]
    np.vstack(vectors)
    return time.perf_counter() - started


def serve_until_ready(database_url: str, data_dir: Path) -> tuple[float, float, str]:
    """Seconds from launching ``facerec serve`` to a 200 from /ready, its RSS then, and its
    own 'ready in' line."""
    env = facerec_environment(
        {"FACEREC_DATABASE_URL": database_url, "FACEREC_DATA_DIR": str(data_dir)}
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with serve(env, log=data_dir / "server.log", ready_within_s=3600, poll_s=0.05) as server:
        ready_s = time.perf_counter() - started
        rss = status_kib("VmRSS", server.pid) / 1024
    said = next((line for line in server.output().splitlines() if "ready in" in line), "")
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
    with mysql_database(args.mysql) as url:
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
        provenance() + "\n",
        "| measure | value |",
        "|---|---:|",
        f"| `facerec serve` launched → /ready answers 200 | {ready_s:.1f} s |",
        f"| server RSS at ready | {rss:,.0f} MiB |",
        f"| reading the gallery from FaceDescriptor (JSON) | {json_s:.1f} s |",
        f"| reading the gallery from the float32 copy (facerec's way) | {binary_s:.1f} s |",
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
    publish(report, args.out)


if __name__ == "__main__":
    main()
