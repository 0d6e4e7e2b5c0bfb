"""/v1/faces/batch: enroll the photos of a zip archive in one request (see ``service/batch.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from facerec import views
from facerec.api.deps import client_of, enroll_overrides, get_runtime, run_blocking
from facerec.service import batch, faces
from facerec.service.runtime import Runtime

PATH = "/v1/faces/batch"  # app.py gives this path its own body-size limit

router = APIRouter(tags=["faces"])


@router.post(PATH, response_model=views.BatchResponse)
async def enroll_batch(
    request: Request,
    archive: UploadFile = File(
        description="A zip of photos: mapping.csv (file,person_type,person_id,name,class_name) at "
        "the root, or folders named by person id (S-001/a.jpg, students/S-001/a.jpg, "
        "teachers/T-1/b.jpg)"
    ),
    person_type: str = Form(
        "student", description="student or teacher: for S-001/ folders and empty CSV person_type"
    ),
    overrides: faces.Overrides = Depends(enroll_overrides),
    runtime: Runtime = Depends(get_runtime),
) -> views.BatchResponse:
    """200 with one line per photo (enrolled, already_enrolled or failed, with its error code) and
    the totals, even when some photos failed. Re-sending the same archive is safe. The whole archive
    is refused (nothing written) when it is not a zip, too large (413), has no photos or more than
    FACEREC_MAX_BATCH_FILES, or its mapping.csv lacks the file and person_id columns (422)."""
    # The spooled upload itself, not its bytes: the service checks its size against
    # FACEREC_MAX_BATCH_BYTES and reads one photo at a time.
    report = await run_blocking(
        request,
        batch.enroll_archive,
        runtime.recognizer,
        archive=archive.file,
        default_person_type=person_type,
        overrides=overrides,
        client=client_of(request),
    )
    return views.BatchResponse.of(report)
