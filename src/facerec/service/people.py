"""Use cases on people (students and teachers): create, read, list, update, delete with erasure.

The database is written and committed first, then the index follows: deactivating a person takes
their faces out of the index (they stay stored), reactivating puts them back, deleting erases them.
Imports the store and index layers; nothing of the web.
"""

from __future__ import annotations

from dataclasses import dataclass

from facerec.domain import (
    UNSET,
    Page,
    Paging,
    Person,
    PersonChanges,
    PersonRef,
    PersonType,
    Unset,
)
from facerec.errors import InvalidInput
from facerec.index.factory import SearchIndex
from facerec.service.faces import clean_class_name, clean_name
from facerec.service.paging import paged
from facerec.store import logs, people
from facerec.store import repositories as repo
from facerec.store.db import Database

SEARCH_MAX_CHARS = 100


def create_person(
    database: Database, *, ref: PersonRef, name: str | None, class_name: str | None, active: bool
) -> Person:
    with database.session() as session:
        return people.create_person(
            session,
            ref=ref,
            name=clean_name(name),
            class_name=clean_class_name(class_name),
            active=active,
        )


def get_person(database: Database, *, ref: PersonRef) -> Person:
    with database.session() as session:
        return people.get_person(session, ref=ref)


def list_people(
    database: Database,
    *,
    person_type: PersonType,
    search: str | None,
    class_name: str | None,
    active: bool | None,
    paging: Paging,
) -> Page[Person]:
    search = (search or "").strip() or None
    if search is not None and len(search) > SEARCH_MAX_CHARS:
        raise InvalidInput(f"search is longer than {SEARCH_MAX_CHARS} characters")
    return paged(
        database,
        paging,
        people.list_people,
        person_type=person_type,
        search=search,
        class_name=clean_class_name(class_name),
        active=active,
    )


def update_person(
    database: Database, index: SearchIndex, *, ref: PersonRef, changes: PersonChanges
) -> Person:
    """Change the name, class or active flag; a change of the flag updates the index."""
    changes = PersonChanges(
        name=changes.name if isinstance(changes.name, Unset) else clean_name(changes.name),
        class_name=(
            changes.class_name
            if isinstance(changes.class_name, Unset)
            else clean_class_name(changes.class_name)
        ),
        active=changes.active,
    )
    with database.session() as session:
        before = people.get_person(session, ref=ref)
        after = people.update_person(session, ref=ref, changes=changes)
    if before.active and not after.active:
        index.remove_person(ref)
    elif after.active and not before.active:
        _index_person(database, index, ref)
    return after


def _index_person(database: Database, index: SearchIndex, ref: PersonRef) -> None:
    with database.session() as session:
        for stored in repo.iter_embeddings(session, model_pack=index.model_pack, ref=ref):
            index.add(stored.face_id, stored.person, stored.embedding)


@dataclass(frozen=True)
class Erasure:
    person: PersonRef
    faces_deleted: int
    attendance_records_deleted: int
    logs_deleted: int


def delete_person(
    database: Database, index: SearchIndex, *, ref: PersonRef, erase_logs: bool
) -> Erasure:
    """Delete the person with their faces, images, embeddings and attendance, in one transaction;
    with ``erase_logs`` also every recognition log row that names them."""
    with database.session() as session:
        erased = people.delete_person(session, ref=ref)
        logs_deleted = logs.delete_for_person(session, ref=ref) if erase_logs else 0
    index.remove_person(ref)
    return Erasure(
        person=ref,
        faces_deleted=erased.faces,
        attendance_records_deleted=erased.attendance_records,
        logs_deleted=logs_deleted,
    )


__all__ = [
    "UNSET",
    "Erasure",
    "PersonChanges",
    "create_person",
    "delete_person",
    "get_person",
    "list_people",
    "update_person",
]
