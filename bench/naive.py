"""1:N identification, a scan of the database on every request against facerec's index, with the
gallery in MariaDB/MySQL.

The baseline ("naive"): on every request, read every FaceDescriptor from the database, parse the
JSON, and compare the probe with each. facerec's: the in-memory index, loaded once, with the
per-request check for other processes' writes (``Runtime.search``: one primary-key range query, then
the matrix product). Both answer the same question; the table says how long each takes and whether
they agree on the best person.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/naive.py --mysql mysql+pymysql://root@127.0.0.1:3306/test

(One BLAS thread, as the server runs: the server sets it when its engine starts, and this benchmark
starts none.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.append(str(Path(__file__).resolve().parent))  # after the standard library
from facerec.index.vectors import VectorIndex
from facerec.service.index_sync import IndexSync
from facerec.store.db import Database
from gallery import FACES_PER_PERSON, fill, people_vectors, probe
from harness import mysql_database, provenance, publish


def naive_best(database: Database, query: np.ndarray) -> tuple[str, float]:  # type: ignore[type-arg]
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT StudentID, FaceDescriptor FROM FaceData")).all()
    ids = [r[0] for r in rows]
    matrix = np.asarray([json.loads(r[1]) for r in rows], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    sims = matrix @ query
    best = int(np.argmax(sims))
    return ids[best], float(sims[best])


def run(server_url: str, sizes: list[int], queries: int) -> str:
    lines = [
        "| faces in MariaDB | naive p50 ms | facerec p50 ms | facerec p99 ms | speed-up "
        "| same best person | index load s |",
        "|---:|---:|---:|---:|---:|---|---:|",
    ]
    for n in sizes:
        centres, faces = people_vectors(n, seed=n)
        probes = [probe(centres[(k * 37) % len(centres)], seed=k) for k in range(queries)]
        with mysql_database(server_url) as url:
            database = Database(url)
            database.migrate()
            fill_s = fill(database, faces)
            index = VectorIndex(model_pack="bundled", dimension=512)
            sync = IndexSync(
                database=database, index=index, model_pack="bundled", interval_s=0, window_s=30
            )
            started = time.perf_counter()
            sync.load()
            load_s = time.perf_counter() - started

            def ours(
                q: np.ndarray,  # type: ignore[type-arg]
                sync: IndexSync = sync,
                index: VectorIndex = index,
            ) -> tuple[str, float]:
                sync.catch_up()  # what every request does before searching
                best = index.search(q, top_k=5)[0]
                return best.person.person_id, best.similarity

            ours(probes[0])
            naive_best(database, probes[0])  # warm both
            naive_ms, ours_ms, agree = [], [], 0
            naive_rounds = queries if n <= 10_000 else max(3, queries // 10)
            for k, q in enumerate(probes):
                t = time.perf_counter()
                mine = ours(q)
                ours_ms.append((time.perf_counter() - t) * 1000)
                if k < naive_rounds:
                    t = time.perf_counter()
                    theirs = naive_best(database, q)
                    naive_ms.append((time.perf_counter() - t) * 1000)
                    agree += mine[0] == theirs[0]
            database.dispose()
        naive = statistics.median(naive_ms)
        p50 = statistics.median(ours_ms)
        p99 = float(np.quantile(ours_ms, 0.99))
        lines.append(
            f"| {n:,} | {naive:,.1f} | {p50:.2f} | {p99:.2f} | {naive / p50:,.0f}x "
            f"| {agree}/{len(naive_ms)} | {load_s:.2f} |"
        )
        print(
            f"{n:,} faces: filled in {fill_s:.0f} s; naive {naive:.1f} ms, ours {p50:.2f} ms",
            file=sys.stderr,
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mysql", required=True, help="Server URL; a scratch database is made")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("bench/results/naive.md"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    table = run(args.mysql, sizes, args.queries)
    report = (
        "## 1:N identification: a per-request scan of the database against facerec's index\n\n"
        + provenance()
        + "\n\n"
        f"Synthetic gallery ({FACES_PER_PERSON} faces a person) in MariaDB; {args.queries} probes "
        "per size (the naive scan: all of them up to 10k, a tenth (at least 3) above). Medians.\n\n"
        + table
        + "\n"
    )
    publish(report, args.out)


if __name__ == "__main__":
    main()
