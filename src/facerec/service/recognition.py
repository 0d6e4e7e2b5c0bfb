"""Use cases that recognise: verify (1:1), identify (1:N), detect. Every verify and identify attempt
is written to FaceRecognitionLogs with its result and score (never the embedding or the image).

Imports the engine, store and index layers; nothing of the web.
"""

from __future__ import annotations

from facerec.config import Settings
from facerec.domain import (
    Candidate,
    DetectedFace,
    EmbeddedFace,
    Identification,
    IdentifiedFace,
    LogOperation,
    LogResult,
    Verification,
)
from facerec.engine.pipeline import FaceEngine, cosine
from facerec.errors import FacerecError, InvalidInput
from facerec.service.decisions import decide
from facerec.service.images import image_decoder
from facerec.service.recognition_log import RecognitionLog
from facerec.service.recognizer import Recognizer


def verify(
    recognizer: Recognizer,
    *,
    image1: bytes,
    image2: bytes,
    threshold: float | None,
    client: str | None,
) -> Verification:
    """Compare the largest face of each image."""
    limit = recognizer.threshold(threshold)
    log = recognizer.log(LogOperation.VERIFY, threshold=limit, client=client)
    try:
        first = recognizer.largest_face(image1, label="image1").face
        second = recognizer.largest_face(image2, label="image2").face
    except FacerecError as exc:
        log.write([log.entry(LogResult(exc.code))])
        raise
    similarity = cosine(first.embedding, second.embedding)
    same = similarity >= limit
    log.write([log.entry(LogResult.MATCH if same else LogResult.NO_MATCH, similarity=similarity)])
    return Verification(
        same_person=same,
        similarity=similarity,
        threshold=limit,
        face1=first.face,
        face2=second.face,
    )


def search_faces(
    recognizer: Recognizer, log: RecognitionLog, image: bytes, *, top_k: int
) -> tuple[list[EmbeddedFace], list[list[Candidate]]]:
    """Every face of ``image``, embedded, and the ``top_k`` people nearest each. The catch-up with
    other processes' writes runs beside the compute; an image that does not decode is logged to
    ``log``, then raised."""
    caught_up = recognizer.start_catch_up()
    try:
        decoded = recognizer.decode(image)
    except FacerecError as exc:
        log.write([log.entry(LogResult(exc.code))])
        raise
    faces = recognizer.engine.analyze(decoded)
    return faces, recognizer.search_all(
        [f.embedding for f in faces], top_k=top_k, caught_up=caught_up
    )


def identify(
    recognizer: Recognizer, *, image: bytes, threshold: float | None, top_k: int, client: str | None
) -> Identification:
    """Every face in the image with its decision (match, needs_review, unknown), its quality and its
    candidates (people, each scored by their best enrolled face)."""
    rule = recognizer.decision_rule(threshold)
    if not 1 <= top_k <= recognizer.settings.top_k_max:
        raise InvalidInput(f"top_k must be between 1 and {recognizer.settings.top_k_max}")
    log = recognizer.log(LogOperation.IDENTIFY, threshold=rule.threshold, client=client)
    results: list[IdentifiedFace] = []
    # Two people at least, so that the margin rule sees the runner-up whatever top_k is.
    faces, found = search_faces(recognizer, log, image, top_k=max(top_k, 2))
    for embedded, candidates in zip(faces, found, strict=True):
        decision, best = decide(candidates, rule)
        results.append(
            IdentifiedFace(
                face=embedded.face,
                quality=embedded.quality,
                decision=decision,
                match=best,
                candidates=tuple(candidates[:top_k]),
            )
        )
    entries = [
        log.entry(
            LogResult(r.decision.value),
            similarity=r.candidates[0].similarity if r.candidates else None,
            person=r.match.person if r.match else None,
            face_id=r.match.face_id if r.match else None,
        )
        for r in results
    ]
    log.write(entries or [log.entry(LogResult.NO_FACE_FOUND)])
    return Identification(faces=tuple(results), rule=rule)


def detect(engine: FaceEngine, settings: Settings, *, image: bytes) -> list[DetectedFace]:
    """Every face in ``image``, decoded within ``settings``' limits."""
    return engine.detect(image_decoder(settings)(image))
