"""/v1/students and /v1/teachers: the same routes for each kind of person, built by ``people_router``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Query, Request, UploadFile

from facerec import views
from facerec.api.deps import Listing, enroll_overrides, get_runtime, listing, run_blocking
from facerec.api.routes.faces import enroll_upload
from facerec.domain import UNSET, PersonChanges, PersonType
from facerec.service import faces, people, reports
from facerec.service.runtime import Runtime


def people_router(person_type: PersonType) -> APIRouter:
    plural = f"{person_type.value}s"
    router = APIRouter(prefix=f"/v1/{plural}", tags=[plural])

    @router.post("", status_code=201, response_model=views.Person)
    async def create_person(
        request: Request,
        body: views.PersonCreate = Body(),
        runtime: Runtime = Depends(get_runtime),
    ) -> views.Person:
        ref = faces.person_ref(person_type.value, body.person_id)
        person = await run_blocking(
            request,
            people.create_person,
            runtime.database,
            ref=ref,
            name=body.name,
            class_name=body.class_name,
            active=body.active,
        )
        return views.Person.of(person)

    @router.get("", response_model=views.Page[views.Person])
    async def list_people(
        query: Annotated[views.PersonQuery, Query()], lister: Listing = Depends(listing)
    ) -> views.Page[views.Person]:
        return await lister.page(
            views.Person.of,
            people.list_people,
            person_type=person_type,
            search=query.search,
            class_name=query.class_name,
            active=query.active,
        )

    @router.get("/{person_id}", response_model=views.Person)
    async def get_person(
        request: Request, person_id: str, runtime: Runtime = Depends(get_runtime)
    ) -> views.Person:
        ref = faces.person_ref(person_type.value, person_id)
        return views.Person.of(
            await run_blocking(request, people.get_person, runtime.database, ref=ref)
        )

    @router.patch("/{person_id}", response_model=views.Person)
    async def update_person(
        request: Request,
        person_id: str,
        body: views.PersonUpdate = Body(),
        runtime: Runtime = Depends(get_runtime),
    ) -> views.Person:
        ref = faces.person_ref(person_type.value, person_id)
        given = body.model_fields_set
        changes = PersonChanges(
            name=body.name if "name" in given else UNSET,
            class_name=body.class_name if "class_name" in given else UNSET,
            active=body.active if "active" in given and body.active is not None else UNSET,
        )
        person = await run_blocking(
            request, people.update_person, runtime.database, runtime.index, ref=ref, changes=changes
        )
        return views.Person.of(person)

    @router.delete("/{person_id}", response_model=views.Erasure)
    async def delete_person(
        request: Request,
        person_id: str,
        erase_logs: bool = Query(
            False, description="Also erase every recognition log row that names the person"
        ),
        runtime: Runtime = Depends(get_runtime),
    ) -> views.Erasure:
        """Delete the person, their faces (images and embeddings) and their attendance."""
        ref = faces.person_ref(person_type.value, person_id)
        erased = await run_blocking(
            request,
            people.delete_person,
            runtime.database,
            runtime.index,
            ref=ref,
            erase_logs=erase_logs,
        )
        return views.Erasure(
            person_type=ref.person_type,
            person_id=ref.person_id,
            faces_deleted=erased.faces_deleted,
            attendance_records_deleted=erased.attendance_records_deleted,
            logs_deleted=erased.logs_deleted,
        )

    @router.get("/{person_id}/faces", response_model=views.Page[views.EnrolledFace])
    async def list_faces(
        person_id: str, lister: Listing = Depends(listing)
    ) -> views.Page[views.EnrolledFace]:
        ref = faces.person_ref(person_type.value, person_id)
        return await lister.page(views.EnrolledFace.of, faces.list_person_faces, ref=ref)

    @router.post("/{person_id}/faces", status_code=201, response_model=views.EnrollResponse)
    async def add_face(
        request: Request,
        person_id: str,
        image: UploadFile = File(
            description="A photo of the person (the largest face is enrolled)"
        ),
        overrides: faces.Overrides = Depends(enroll_overrides),
        runtime: Runtime = Depends(get_runtime),
    ) -> views.EnrollResponse:
        """Add a face to an existing person (POST /v1/faces also creates the person)."""
        ref = faces.person_ref(person_type.value, person_id)
        await run_blocking(
            request, people.get_person, runtime.database, ref=ref
        )  # 404 when unknown
        return await enroll_upload(
            request, runtime, image, ref=ref, name=None, class_name=None, overrides=overrides
        )

    @router.get("/{person_id}/attendance", response_model=views.History)
    async def attendance_history(
        request: Request,
        person_id: str,
        date_from: date | None = Query(None, alias="from", description="First date (inclusive)"),
        date_to: date | None = Query(None, alias="to", description="Last date (inclusive)"),
        runtime: Runtime = Depends(get_runtime),
    ) -> views.History:
        """The person's attendance records and how many days present and absent."""
        ref = faces.person_ref(person_type.value, person_id)
        found = await run_blocking(
            request,
            reports.history,
            runtime.database,
            ref=ref,
            date_from=date_from,
            date_to=date_to,
        )
        return views.History.of(found)

    return router
