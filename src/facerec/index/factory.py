"""Which index a process searches with, chosen by Settings: exact, approximate, or auto (exact up to
``index_approximate_from`` faces, approximate from there on, switching as the gallery grows or
shrinks). Imports the index and Settings only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from facerec.config import Settings
from facerec.domain import Candidate, PersonRef, Vector
from facerec.index.vectors import VectorIndex


class SearchIndex(Protocol):
    """What the service needs of an index (``VectorIndex`` is one)."""

    model_pack: str
    dimension: int

    def __len__(self) -> int: ...

    def replace_all(self, items: Iterable[tuple[int, PersonRef, Vector]]) -> int: ...

    def add(self, face_id: int, person: PersonRef, vector: Vector) -> None: ...

    def remove(self, face_id: int) -> None: ...

    def remove_person(self, person: PersonRef) -> int: ...

    def search(self, query: Vector, *, top_k: int) -> list[Candidate]: ...


def make_index(settings: Settings, *, model_pack: str, dimension: int) -> SearchIndex:
    """An empty index for ``model_pack``'s ``dimension``-d embeddings, of the kind ``settings.index_kind``
    names; fill it with ``replace_all``."""
    approximate_from = {
        "exact": None,
        "approximate": 0,
        "auto": settings.index_approximate_from,
    }[settings.index_kind]
    return VectorIndex(
        model_pack=model_pack,
        dimension=dimension,
        approximate_from=approximate_from,
        code_bits=settings.index_code_bits,
        candidates=settings.index_candidates,
    )
