"""The JSON shapes of students and teachers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from facerec import domain
from facerec.views.common import flat


class PersonCreate(BaseModel):
    person_id: str = Field(description="The organisation's own id (e.g. the student number)")
    name: str | None = Field(None, max_length=255)
    class_name: str | None = Field(None, max_length=64, description="Class or group")
    active: bool = True


class PersonUpdate(BaseModel):
    """Only the fields given change; null clears name or class."""

    name: str | None = Field(None, max_length=255)
    class_name: str | None = Field(None, max_length=64)
    active: bool | None = None


class PersonQuery(BaseModel):
    """The filters of a list of students or teachers, as query parameters."""

    search: str | None = Field(None, description="A part of the id or the name (any case)")
    class_name: str | None = None
    active: bool | None = None


class Person(BaseModel):
    person_type: domain.PersonType
    person_id: str
    name: str | None
    class_name: str | None
    active: bool = Field(description="Inactive people stay stored but are not recognised")
    face_count: int
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, person: domain.Person) -> Person:
        return cls(**flat(person))


class Erasure(BaseModel):
    person_type: domain.PersonType
    person_id: str
    faces_deleted: int = Field(description="Faces erased with their images and embeddings")
    attendance_records_deleted: int
    logs_deleted: int = Field(description="Recognition log rows erased (only with erase_logs)")
