"""/v1/faces: enroll, list, read, image, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from facerec import views
from facerec.api.deps import (
    Listing,
    RowId,
    client_of,
    enroll_overrides,
    get_runtime,
    listing,
    read_upload,
    run_blocking,
)
from facerec.domain import PersonRef
from facerec.service import faces
from facerec.service.runtime import Runtime

router = APIRouter(prefix="/v1/faces", tags=["faces"])


@router.post("", status_code=201, response_model=views.EnrollResponse)
async def enroll_face(
    request: Request,
    image: UploadFile = File(description="A photo of the person (the largest face is enrolled)"),
    person_type: str = Form(description="student or teacher"),
    person_id: str = Form(description="The person's external id (created when new)"),
    name: str | None = Form(None, description="The person's name (optional)"),
    class_name: str | None = Form(None, description="The person's class or group (optional)"),
    overrides: faces.Overrides = Depends(enroll_overrides),
    runtime: Runtime = Depends(get_runtime),
) -> views.EnrollResponse:
    ref = faces.person_ref(person_type, person_id)
    return await enroll_upload(
        request, runtime, image, ref=ref, name=name, class_name=class_name, overrides=overrides
    )


async def enroll_upload(
    request: Request,
    runtime: Runtime,
    image: UploadFile,
    *,
    ref: PersonRef,
    name: str | None,
    class_name: str | None,
    overrides: faces.Overrides,
) -> views.EnrollResponse:
    """Enroll the uploaded photo's largest face for ``ref``: the body of every enrolling route."""
    data = await read_upload(image, runtime.settings.max_image_bytes)
    enrollment = await run_blocking(
        request,
        faces.enroll,
        runtime.recognizer,
        image=data,
        ref=ref,
        name=name,
        class_name=class_name,
        overrides=overrides,
        client=client_of(request),
    )
    return views.EnrollResponse.of_enrollment(enrollment)


@router.get("", response_model=views.Page[views.EnrolledFace])
async def list_faces(
    query: Annotated[views.FaceQuery, Query()], lister: Listing = Depends(listing)
) -> views.Page[views.EnrolledFace]:
    return await lister.page(
        views.EnrolledFace.of,
        faces.list_faces,
        person_type=query.person_type,
        person_id=query.person_id,
    )


@router.get("/{face_id}", response_model=views.EnrolledFace)
async def get_face(
    request: Request, face_id: RowId, runtime: Runtime = Depends(get_runtime)
) -> views.EnrolledFace:
    return views.EnrolledFace.of(
        await run_blocking(request, faces.get_face, runtime.database, face_id=face_id)
    )


@router.get(
    "/{face_id}/image", response_class=Response, responses={200: {"content": {"image/*": {}}}}
)
async def get_face_image(
    request: Request, face_id: RowId, runtime: Runtime = Depends(get_runtime)
) -> Response:
    data, mime = await run_blocking(
        request, faces.get_face_image, runtime.database, face_id=face_id
    )
    return Response(content=data, media_type=mime, headers={"Cache-Control": "no-store"})


@router.delete("/{face_id}", status_code=204, response_class=Response)
async def delete_face(
    request: Request, face_id: RowId, runtime: Runtime = Depends(get_runtime)
) -> Response:
    await run_blocking(request, faces.delete_face, runtime.database, runtime.index, face_id=face_id)
    return Response(status_code=204)
