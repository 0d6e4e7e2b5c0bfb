"""A large enrolled gallery in a database, fast: synthetic people with realistic vectors, written the
way facerec writes them (FaceDescriptor as JSON, the float32 copy beside it, no image), by bulk
INSERT rather than through the models. For the benchmarks of start-up and of the naive scan.

Vectors: each person is a random unit centre; each face is the centre plus noise, normalised, so
that two faces of one person score about 0.6 and two people about 0 (as ArcFace's do).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert

from facerec.store.clock import utcnow
from facerec.store.db import Database
from facerec.store.tables import FaceData, Student

DIMENSION = 512
FACES_PER_PERSON = 2
INSERT_ROWS = 2000  # rows per INSERT statement
NOISE = 1.1  # per-dimension noise relative to the centre: same-person cosine about 0.45 to 0.6


def unit_rows(rows: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def people_vectors(
    n_faces: int, *, seed: int = 0
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """``(centres, faces)``: n_faces / FACES_PER_PERSON centres, and n_faces face vectors, face i
    belonging to person i // FACES_PER_PERSON."""
    rng = np.random.default_rng(seed)
    n_people = -(-n_faces // FACES_PER_PERSON)
    centres = unit_rows(rng.standard_normal((n_people, DIMENSION), dtype=np.float32))
    faces = np.repeat(centres, FACES_PER_PERSON, axis=0)[:n_faces]
    noise = rng.standard_normal((n_faces, DIMENSION), dtype=np.float32) * (NOISE / DIMENSION**0.5)
    return centres, unit_rows(faces + noise)


def probe(centre: npt.NDArray[np.float32], *, seed: int) -> npt.NDArray[np.float32]:
    """Another face of the person with this centre."""
    rng = np.random.default_rng(seed)
    noisy = centre + rng.standard_normal(DIMENSION).astype(np.float32) * (NOISE / DIMENSION**0.5)
    return unit_rows(noisy[None, :])[0]


def fill(database: Database, faces: npt.NDArray[np.float32]) -> float:
    """Insert one student per FACES_PER_PERSON faces and the faces; returns the seconds it took."""
    started = time.perf_counter()
    now = utcnow()
    n_people = -(-len(faces) // FACES_PER_PERSON)
    with database.engine.begin() as conn:
        for start in range(0, n_people, INSERT_ROWS):
            conn.execute(
                insert(Student),
                [
                    {"StudentID": f"S{i:07d}", "Name": None, "Active": True, "CreatedAt": now}
                    for i in range(start, min(start + INSERT_ROWS, n_people))
                ],
            )
    for start in range(0, len(faces), INSERT_ROWS):
        rows = [
            {
                "StudentID": f"S{i // FACES_PER_PERSON:07d}",
                # As the service writes it: JSON numbers (float32 values), and the binary copy.
                "FaceDescriptor": [float(v) for v in faces[i]],
                "Embedding": faces[i].astype("<f4").tobytes(),
                "ModelPack": "bundled",
                "BBox": [0.0, 0.0, 100.0, 100.0],
                "DetScore": 0.9,
                "CreatedAt": now,
            }
            for i in range(start, min(start + INSERT_ROWS, len(faces)))
        ]
        with database.engine.begin() as conn:
            conn.execute(insert(FaceData), rows)
    return time.perf_counter() - started
