"""Use cases that recognise: verify (1:1), identify (1:N), detect. Every verify and identify attempt
is written to FaceRecognitionLogs with its result and score (never the embedding or the image).

Imports the engine, store and index layers; nothing of the web.
"""

from __future__ import annotations

from facerec.domain import DetectedFace, IdentifiedFace, Vector, Verification
from facerec.engine.pipeline import cosine
from facerec.errors import FacerecError, ImageError, InvalidInput, NoFaceFound
from facerec.service.runtime import Runtime
from facerec.store import repositories as repo
from facerec.store.repositories import LogEntry


def verify(
    runtime: Runtime, *, image1: bytes, image2: bytes, threshold: float | None, client: str | None
) -> Verification:
    """Compare the largest face of each image."""
    limit = runtime.threshold(threshold)
    try:
        first = _largest_embedded(runtime, image1, which="image1")
        second = _largest_embedded(runtime, image2, which="image2")
    except FacerecError as exc:
        _log(
            runtime,
            [
                LogEntry(
                    "verify",
                    exc.code,
                    threshold=limit,
                    model_pack=runtime.model_pack,
                    client=client,
                )
            ],
        )
        raise
    similarity = cosine(first[1], second[1])
    same = similarity >= limit
    _log(
        runtime,
        [
            LogEntry(
                "verify",
                "match" if same else "no_match",
                similarity=similarity,
                threshold=limit,
                model_pack=runtime.model_pack,
                client=client,
            )
        ],
    )
    return Verification(
        same_person=same, similarity=similarity, threshold=limit, face1=first[0], face2=second[0]
    )


def identify(
    runtime: Runtime, *, image: bytes, threshold: float | None, top_k: int, client: str | None
) -> list[IdentifiedFace]:
    """Every face in the image with its best match above the threshold (or none) and its candidates."""
    limit = runtime.threshold(threshold)
    if not 1 <= top_k <= runtime.settings.top_k_max:
        raise InvalidInput(f"top_k must be between 1 and {runtime.settings.top_k_max}")
    try:
        decoded = runtime.decode(image)
    except FacerecError as exc:
        _log(
            runtime,
            [
                LogEntry(
                    "identify",
                    exc.code,
                    threshold=limit,
                    model_pack=runtime.model_pack,
                    client=client,
                )
            ],
        )
        raise
    results: list[IdentifiedFace] = []
    for embedded in runtime.engine.analyze(decoded.pixels):
        candidates = runtime.index.search(embedded.embedding, top_k=top_k)
        best = candidates[0] if candidates and candidates[0].similarity >= limit else None
        results.append(IdentifiedFace(face=embedded.face, match=best, candidates=tuple(candidates)))
    entries = [
        LogEntry(
            "identify",
            "match" if r.match else "unknown",
            similarity=r.candidates[0].similarity if r.candidates else None,
            threshold=limit,
            person=r.match.person if r.match else None,
            face_id=r.match.face_id if r.match else None,
            model_pack=runtime.model_pack,
            client=client,
        )
        for r in results
    ] or [
        LogEntry(
            "identify",
            NoFaceFound.code,
            threshold=limit,
            model_pack=runtime.model_pack,
            client=client,
        )
    ]
    _log(runtime, entries)
    return results


def detect(runtime: Runtime, *, image: bytes) -> list[DetectedFace]:
    return runtime.engine.detect(runtime.decode(image).pixels)


def _largest_embedded(runtime: Runtime, image: bytes, *, which: str) -> tuple[DetectedFace, Vector]:
    try:
        decoded = runtime.decode(image)
    except ImageError as exc:
        raise type(exc)(f"{which}: {exc.message}") from exc
    faces = runtime.engine.detect(decoded.pixels)
    if not faces:
        raise NoFaceFound(f"no face was found in {which}")
    embedded = runtime.engine.embed_faces(decoded.pixels, [faces[0]])[0]
    return embedded.face, embedded.embedding


def _log(runtime: Runtime, entries: list[LogEntry]) -> None:
    with runtime.database.session() as session:
        repo.add_logs(session, entries=entries)
