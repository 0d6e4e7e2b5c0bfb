"""What the API documents about itself: the app's description, each tag's description, and each
route's summary, description and the errors it raises itself. ``api/openapi.py`` applies this table
to the app (with the recorded examples); ``docs/api.md`` is generated from the result. A new route
needs an entry here. Imports the domain's errors only.
"""

from __future__ import annotations

from dataclasses import dataclass

from facerec import errors

DESCRIPTION = """Self-hosted face recognition for schools: manage students and teachers, enroll
their faces (one by one or in bulk), verify two images (1:1), identify enrolled people (1:N), take
attendance from a class photo, correct it and report on it, and query the recognition logs.

**Authentication.** When the server has `FACEREC_API_KEYS`, every `/v1` route needs the header
`X-API-Key: <key>` (401 `unauthorized` without it); `/health` and `/ready` stay open.

**Errors** have one JSON shape and a stable code, which programs switch on:
`{"error": {"code": "no_face_found", "message": "no face was found in the image"}}`. Some add
`details`: the reasons of `poor_quality`, the other person of `duplicate_face`. Each route lists the
codes it can return; every route can also answer 503 `not_ready` while the service starts, and
every route with parameters 422 `invalid_input`.

**Images**: JPEG, PNG (RGBA, 16-bit, palette), WebP, BMP, GIF (first frame) and TIFF; EXIF orientation
is applied; grayscale and CMYK are converted. A photo is limited to `FACEREC_MAX_IMAGE_BYTES` and
`FACEREC_MAX_IMAGE_PIXELS` (413 above).

The bundled InsightFace weights are for non-commercial research only."""

TAGS: list[dict[str, str]] = [
    {
        "name": "faces",
        "description": """Enrolled faces: each belongs to one person and keeps its photo, its
embedding (never returned), its box and the model pack that made it. A person may have several.

**Bulk enrollment** (`POST /v1/faces/batch`) takes a zip in one of two layouts:

- **`mapping.csv`** at the root, one row per photo (only the files it lists are enrolled), with the
  columns `file` (the photo's path inside the archive; required), `person_type` (`student` or
  `teacher`; empty: the batch's default), `person_id` (required; the person is created when new),
  `name` and `class_name` (optional). Header names are case-insensitive; `,`, `;` or tab separated;
  UTF-8 (Excel's BOM is fine).
- **folders named by person id**: `students/S-001/a.jpg`, `teachers/T-1/b.jpg`, or a bare
  `S-001/a.jpg` (the batch's default person type). One folder wrapping everything is fine.

Hidden files, `__MACOSX/` and `Thumbs.db` are ignored; every other file is tried and reported. Each
photo is its own transaction: a failed photo (no face, poor quality, duplicate, broken file, bad CSV
row, file over `FACEREC_MAX_IMAGE_BYTES`) is reported with its error code and writes nothing; the
others go on. Re-running the same batch is safe: a photo a person already has (the same bytes, by
sha256) is `already_enrolled` and nothing is written. Nothing from the archive is written to disk.
A very large batch holds one worker for its whole run: run those with `facerec enroll-dir`, which
shows a progress bar and prints the same report.""",
    },
    {
        "name": "recognition",
        "description": """Verify (1:1), identify (1:N) and detect. Each face identified gets a
`decision`: `match` (the best person scores at or above the threshold and nobody else is close
behind), `needs_review` (the best score is in the confirmation band from `review_from` up to the
threshold, or a runner-up is within `FACEREC_REVIEW_MARGIN` of the best) or `unknown`. The
thresholds are explained in docs/accuracy.md.""",
    },
    {
        "name": "attendance",
        "description": """How a photo becomes attendance:

1. Every face is detected and embedded, and the index gives each face its ten nearest people.
2. **Faces are given to people jointly**: the assignment with the highest total similarity in which
   each person has at most one face (the Hungarian method). A person is never present twice, and a
   look-alike elsewhere in the photo does not take someone's place.
3. Each face then gets the usual decision (threshold, confirmation band, margin rule) among the
   people not given to another face.
4. `match` faces mark their person **present** in `AttendanceRecords` (time, confidence = similarity,
   source `photo` or `kiosk`, the class). `needs_review` faces go to a review queue (one per person and
   session). Unknown faces are returned with their boxes, and nothing is stored for them.
5. Every face is written to `FaceRecognitionLogs` (operation `attendance`).

**Sessions and idempotency.** A record belongs to a person, a date (default: today in
`FACEREC_TIMEZONE`) and a session id (default: the whole day). The database holds at most one record
per person, date and session, so sending a photo twice, or two photos of one lesson, adds nothing: the
second time a face is reported `already_present`. A new `session_id` (a period, a lesson) starts new
records. **A mark set by hand stands**: a later photo reports that face as `kept_absent` and changes
nothing.

**Corrections** (reviews confirmed or rejected, marks by hand) need `by`, who makes them, and are
written to `AttendanceChanges` with the old and new status, the time and the client's address.

**Filters** (`from`, `to` inclusive, `class_name`, `session_id`, `person_type`, `person_id`, `status`,
`source`) are the same for the list and the CSV. **Absentees** are the active students of the class
with no `present` record for the date and session; those marked absent by hand say so
(`status: absent`), the others have `status: null`.""",
    },
    {
        "name": "students",
        "description": """Students and teachers have the same routes, under `/v1/students` and
`/v1/teachers`. `person_id` is the organisation's own id (1 to 64 letters, digits and `_ . @ : -`); a
student and a teacher may share one.

- **Inactive** people (a student who left) stay stored but are taken out of the index: nobody is
  identified as them, and they are not absentees. Setting `active` back puts their faces back.
- **Deleting** a person erases, in one transaction, their row, their faces with the images and the
  embeddings, their attendance records, reviews and corrections, and takes their faces out of the
  index. `erase_logs=true` also deletes every recognition log row that names them (a right-to-erasure
  request); without it the log rows stay, as the record of what was recognised.
- `POST /v1/faces` also creates the person when new, for a quick start.""",
    },
    {"name": "teachers", "description": "The same routes as students, for teachers."},
    {
        "name": "logs",
        "description": """Every enroll, verify, identify and attendance attempt writes one row per face
to `FaceRecognitionLogs`: the operation, the result (the decision, `enrolled`, or the error code that
stopped it), the best similarity, the threshold, the person and face it pointed at, the model pack,
the client and the time (UTC). Never an embedding or an image.

**Retention.** Logs older than `FACEREC_LOG_RETENTION_DAYS` (default 90; 0 keeps them all) are deleted
by a running server at start-up and then every `FACEREC_LOG_PRUNE_INTERVAL_S` seconds, in chunks of
10,000 rows, each its own transaction. A failed prune is logged and tried again at the next interval.
Several servers on one database may all prune; deleting is idempotent.""",
    },
    {"name": "admin", "description": "Maintenance of a running server."},
    {"name": "health", "description": "Liveness, readiness and what the server runs."},
]

IMAGE_ERRORS: tuple[type[errors.FacerecError], ...] = (
    errors.EmptyImage,
    errors.CorruptImage,
    errors.ImageTooLarge,
    errors.UnsupportedImage,
)
STORAGE = (errors.StorageUnavailable,)
ENROLL_ERRORS = (
    *IMAGE_ERRORS,
    errors.NoFaceFound,
    errors.PoorQuality,
    errors.DuplicateFace,
    *STORAGE,
)


@dataclass(frozen=True)
class RouteDoc:
    """A route's summary and description, and the errors it raises itself (401, 503 not_ready and 422
    invalid_input are added from the route's dependencies and parameters)."""

    summary: str
    description: str
    errors: tuple[type[errors.FacerecError], ...] = ()


LIST_HELP = "Paged with `limit` (1 to 1000, default 100) and `offset`; `total` counts every match."


def _people_routes(plural: str) -> dict[tuple[str, str], RouteDoc]:
    one = plural.removesuffix("s")
    base = f"/v1/{plural}"
    return {
        ("POST", base): RouteDoc(
            f"Create a {one}",
            f"Create a {one} with their id, name and class or group. 409 `person_exists` when the "
            "id is taken.",
            (errors.PersonExists, *STORAGE),
        ),
        ("GET", base): RouteDoc(
            f"List {plural}",
            f"The {plural}, by id, filtered by a part of the id or name (`search`, any case), the "
            f"class and the active flag, each with its number of faces. {LIST_HELP}",
            STORAGE,
        ),
        ("GET", f"{base}/{{person_id}}"): RouteDoc(
            f"Read a {one}", f"One {one}, with `face_count`.", (errors.PersonNotFound, *STORAGE)
        ),
        ("PATCH", f"{base}/{{person_id}}"): RouteDoc(
            f"Change a {one}",
            "Change only the fields given (`name`, `class_name`, `active`). Setting `active` to "
            "false takes the person's faces out of the index; true puts them back.",
            (errors.PersonNotFound, *STORAGE),
        ),
        ("DELETE", f"{base}/{{person_id}}"): RouteDoc(
            f"Delete a {one} and their data",
            "Erase the person, their faces (images and embeddings) and their attendance records, "
            "reviews and corrections, in one transaction; with `erase_logs=true` also every "
            "recognition log row that names them. The response counts what was deleted.",
            (errors.PersonNotFound, *STORAGE),
        ),
        ("GET", f"{base}/{{person_id}}/faces"): RouteDoc(
            f"List a {one}'s faces",
            f"The person's enrolled faces, oldest first. {LIST_HELP}",
            (errors.PersonNotFound, *STORAGE),
        ),
        ("POST", f"{base}/{{person_id}}/faces"): RouteDoc(
            f"Add a face to a {one}",
            "Enroll the largest face of the photo for an existing person (`POST /v1/faces` also "
            "creates the person), after the quality gate and the duplicate check, as there.",
            (errors.PersonNotFound, *ENROLL_ERRORS),
        ),
        ("GET", f"{base}/{{person_id}}/attendance"): RouteDoc(
            f"A {one}'s attendance history",
            "The person's attendance records between `from` and `to` (inclusive; all of them "
            "without), with the number of days present and absent.",
            (errors.PersonNotFound, *STORAGE),
        ),
    }


ROUTES: dict[tuple[str, str], RouteDoc] = {
    **_people_routes("students"),
    **_people_routes("teachers"),
    ("POST", "/v1/faces"): RouteDoc(
        "Enroll a face",
        "Enroll the largest face of the photo for a student or teacher, creating the person when "
        "new. The face must pass the quality gate (size, detector score, sharpness, brightness, "
        "pose, no other large face; 422 `poor_quality` with its `reasons`) and must not already "
        "match another person (409 `duplicate_face`, naming them). `allow_poor_quality` and "
        "`allow_duplicate` let an operator override either: the face is enrolled and `warnings` "
        "say what it failed. `faces_in_image`, `quality` and `warnings` say what was seen.",
        ENROLL_ERRORS,
    ),
    ("GET", "/v1/faces"): RouteDoc(
        "List enrolled faces",
        f"Every enrolled face, or one person's (`person_type` and `person_id`). {LIST_HELP}",
        STORAGE,
    ),
    ("GET", "/v1/faces/{face_id}"): RouteDoc(
        "Read an enrolled face",
        "One face's record: its person, box, detector score, model pack and time.",
        (errors.FaceNotFound, *STORAGE),
    ),
    ("GET", "/v1/faces/{face_id}/image"): RouteDoc(
        "Download an enrolled photo",
        "The photo the face was enrolled from, as it was uploaded, with `Cache-Control: no-store`.",
        (errors.FaceNotFound, *STORAGE),
    ),
    ("DELETE", "/v1/faces/{face_id}"): RouteDoc(
        "Delete an enrolled face",
        "Delete the face, its photo and its embedding; it leaves every server's index. 204, no body.",
        (errors.FaceNotFound, *STORAGE),
    ),
    ("POST", "/v1/faces/batch"): RouteDoc(
        "Enroll the photos of a zip archive",
        "200 with one line per photo (`enrolled`, `already_enrolled` or `failed`, with its error "
        "code) and the totals, even when some photos failed; the layouts are described under the "
        "faces tag. `allow_poor_quality` and `allow_duplicate` apply to the whole batch. The whole "
        "archive is refused, with nothing written: 413 over `FACEREC_MAX_BATCH_BYTES`; 422 when it "
        "is not a zip, has no photos or more than `FACEREC_MAX_BATCH_FILES`, or its mapping.csv has "
        "no `file` and `person_id` columns.",
        (errors.ImageTooLarge, *STORAGE),
    ),
    ("POST", "/v1/verify"): RouteDoc(
        "Verify: are two photos the same person?",
        "Compare the largest face of each photo: `same_person` when their cosine similarity is at "
        "least the threshold (the configured one, or `threshold`). 422 `no_face_found` when either "
        "photo has no face.",
        (*IMAGE_ERRORS, errors.NoFaceFound, *STORAGE),
    ),
    ("POST", "/v1/identify"): RouteDoc(
        "Identify everyone in a photo",
        "Every face in the photo, each with its `decision`, the person it points at (`match`, or "
        "null), its `quality`, and its `candidates`: the `top_k` nearest people (at most "
        "`FACEREC_TOP_K_MAX`), each scored by their best enrolled face. A photo without a face "
        "gives an empty `faces`.",
        (*IMAGE_ERRORS, *STORAGE),
    ),
    ("POST", "/v1/detect"): RouteDoc(
        "Detect faces",
        "Every face in the photo with its box, five landmarks and detector score; nothing is "
        "compared or stored.",
        IMAGE_ERRORS,
    ),
    ("POST", "/v1/attendance"): RouteDoc(
        "Take attendance from a photo",
        "Identify every face of a class or group photo (or a kiosk snapshot) and mark each "
        "recognised person present, once per session; doubtful faces go to the review queue and "
        "unknown faces are returned with their boxes. Sending the same session again adds "
        "nothing. The steps are described under the attendance tag.",
        (*IMAGE_ERRORS, *STORAGE),
    ),
    ("GET", "/v1/attendance"): RouteDoc(
        "List attendance records",
        f"The records that match the filters, newest date first. {LIST_HELP}",
        STORAGE,
    ),
    ("GET", "/v1/attendance/export.csv"): RouteDoc(
        "Download attendance as CSV",
        "The records that match the filters (as for the list), one CSV row each: `record_id, date, "
        "session_id, class_name, person_type, person_id, name, status, confidence, source, "
        "recorded_at` (UTC) and `recorded_by`. Free text that a spreadsheet would run as a formula "
        "(`=`, `+`, `-`, `@`) gets a leading apostrophe.",
        STORAGE,
    ),
    ("GET", "/v1/attendance/absentees"): RouteDoc(
        "Absentees of a class",
        "The active students of the class not marked present for the date (default: today) and "
        "session; those marked absent by hand have `status: absent`, the others `status: null`.",
        STORAGE,
    ),
    ("POST", "/v1/attendance/marks"): RouteDoc(
        "Mark a person by hand",
        "Mark a person `present` or `absent` for a date and session; a later photo does not "
        "override it. Needs `by`, who marks; written to the audit trail.",
        (errors.PersonNotFound, *STORAGE),
    ),
    ("GET", "/v1/attendance/reviews"): RouteDoc(
        "List doubtful faces waiting for a teacher",
        f"The review queue (pending by default), with each face's candidate and similarity. "
        f"{LIST_HELP}",
        STORAGE,
    ),
    ("POST", "/v1/attendance/reviews/{review_id}/confirm"): RouteDoc(
        "Confirm a doubtful face",
        "The face is the candidate (or the person given in `person_type` and `person_id`): mark "
        "them present. Confirming twice changes nothing; confirming a rejected review is refused "
        "(409 `review_resolved`): mark the person by hand instead.",
        (errors.ReviewNotFound, errors.ReviewResolved, errors.PersonNotFound, *STORAGE),
    ),
    ("POST", "/v1/attendance/reviews/{review_id}/reject"): RouteDoc(
        "Reject a doubtful face",
        "The face is not the candidate: nobody is marked. Rejecting a confirmed review is refused "
        "(409 `review_resolved`).",
        (errors.ReviewNotFound, errors.ReviewResolved, *STORAGE),
    ),
    ("GET", "/v1/attendance/changes"): RouteDoc(
        "The audit trail of corrections",
        f"Every correction (review confirmed or rejected, mark by hand), newest first, with who "
        f"made it, when, from where, and the old and new status. {LIST_HELP}",
        STORAGE,
    ),
    ("GET", "/v1/logs"): RouteDoc(
        "Read the recognition logs",
        "The logs, newest first, filtered by `operation`, `result`, `person_type` and `person_id` "
        "(which needs `person_type`), `client`, `since` (inclusive) and `until` (exclusive), "
        "`min_similarity` and `max_similarity` (both inclusive; they leave out attempts without a "
        "score). Times are ISO 8601: with a time zone they are converted to UTC, without one they "
        "are taken as UTC (write `+` as `%2B` in a URL). "
        f"{LIST_HELP}",
        STORAGE,
    ),
    ("POST", "/v1/admin/reindex"): RouteDoc(
        "Rebuild the index from the database",
        "Rebuild this server's in-memory index from the database (the truth) and say how many faces "
        "it holds. Other servers follow the database on their own.",
        STORAGE,
    ),
    ("POST", "/v1/admin/logs/prune"): RouteDoc(
        "Delete expired recognition logs now",
        "Delete the logs older than `FACEREC_LOG_RETENTION_DAYS` now, rather than at the next "
        "scheduled prune.",
        STORAGE,
    ),
    ("GET", "/health"): RouteDoc(
        "Is the process alive?",
        "200 while the process runs, whatever the state of the models and the database.",
    ),
    ("GET", "/ready"): RouteDoc(
        "Is the service ready?",
        "200 when the models are loaded and the database answers; 503 with the same body "
        "otherwise. For load balancers and monitoring.",
    ),
    ("GET", "/v1/info"): RouteDoc(
        "What the server runs",
        "The version, the model pack and its embedding size, the threshold and the confirmation "
        "band, where the thresholds come from, the execution provider in use and those available, "
        "the faces indexed and the database kind.",
    ),
}
