"""The database tables, with the PascalCase names of the organisation's schema.

``FaceData.FaceDescriptor`` holds the embedding as a JSON array and ``FaceData.ImageData`` the
uploaded image (LONGBLOB on MySQL/MariaDB). Every face records the model pack that made its embedding.
The schema is created and upgraded by the Alembic migrations in ``migrations/``; this module is the
model they were written from. Imports SQLAlchemy only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LongBlob = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
Blob = LargeBinary().with_variant(mysql.BLOB(), "mysql", "mariadb")
# Person ids compare exactly (binary collation on MySQL/MariaDB, as SQLite and the index compare them):
# "S-001" and "s-001" are two people everywhere, never one person in the database and two in the index.
PersonId = String(64).with_variant(mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb")
PersonKeyType = String(80).with_variant(
    mysql.VARCHAR(80, collation="utf8mb4_bin"), "mysql", "mariadb"
)


class Base(DeclarativeBase):
    pass


class PersonColumns:
    """What Student and Teacher hold beside their id: the two tables have the same shape. Each id
    column sorts first (``sort_order=-1``), as a mixin's columns otherwise come before it."""

    Name: Mapped[str | None] = mapped_column(String(255))
    ClassName: Mapped[str | None] = mapped_column(String(64))  # class or group
    Active: Mapped[bool] = mapped_column(Boolean, default=True)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)
    UpdatedAt: Mapped[datetime | None] = mapped_column(DateTime)


class Student(PersonColumns, Base):
    __tablename__ = "Student"
    __table_args__ = (Index("ix_student_class", "ClassName"),)

    StudentID: Mapped[str] = mapped_column(PersonId, primary_key=True, sort_order=-1)


class Teacher(PersonColumns, Base):
    __tablename__ = "Teacher"
    __table_args__ = (Index("ix_teacher_class", "ClassName"),)

    TeacherID: Mapped[str] = mapped_column(PersonId, primary_key=True, sort_order=-1)


class FaceData(Base):
    __tablename__ = "FaceData"
    __table_args__ = (
        CheckConstraint("(StudentID IS NULL) <> (TeacherID IS NULL)", name="ck_facedata_one_owner"),
        Index("ix_facedata_student", "StudentID"),
        Index("ix_facedata_teacher", "TeacherID"),
        Index("ix_facedata_model", "ModelPack"),
        Index("ix_facedata_image_sha256", "ImageSHA256"),
    )

    FaceID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    StudentID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Student.StudentID", ondelete="CASCADE")
    )
    TeacherID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Teacher.TeacherID", ondelete="CASCADE")
    )
    FaceDescriptor: Mapped[list[float]] = mapped_column(JSON)
    # The same vector as little-endian float32 bytes: the index loads it without parsing JSON.
    Embedding: Mapped[bytes | None] = mapped_column(Blob)
    ImageData: Mapped[bytes | None] = mapped_column(LongBlob)
    ImageMime: Mapped[str | None] = mapped_column(String(32))
    ImageSHA256: Mapped[str | None] = mapped_column(String(64))  # makes bulk enrollment idempotent
    ModelPack: Mapped[str] = mapped_column(String(64))
    BBox: Mapped[list[float]] = mapped_column(JSON)
    DetScore: Mapped[float] = mapped_column(Float)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


class PersonSession:
    """The columns that tie an attendance row to a person, a date and a session ("" is the whole
    day); PersonKey ("student:S-001") lets one unique key cover the person."""

    StudentID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Student.StudentID", ondelete="CASCADE")
    )
    TeacherID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Teacher.TeacherID", ondelete="CASCADE")
    )
    PersonKey: Mapped[str] = mapped_column(PersonKeyType)
    AttendanceDate: Mapped[date] = mapped_column(Date)
    SessionID: Mapped[str] = mapped_column(String(64), default="")


class AttendanceRecords(PersonSession, Base):
    """One row per person, date and session (SessionID '' is the whole day): marking again updates
    nothing, thanks to the unique PersonKey ("student:S-001") beside the two owner columns."""

    __tablename__ = "AttendanceRecords"
    __table_args__ = (
        Index("ix_attendance_date", "AttendanceDate"),
        Index(
            "ux_attendance_person_day_session",
            "PersonKey",
            "AttendanceDate",
            "SessionID",
            unique=True,
        ),
        Index("ix_attendance_student", "StudentID"),
        Index("ix_attendance_teacher", "TeacherID"),
    )

    RecordID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ClassName: Mapped[str | None] = mapped_column(String(64))
    RecordedAt: Mapped[datetime] = mapped_column(DateTime)
    Status: Mapped[str] = mapped_column(String(16))  # present, absent
    Confidence: Mapped[float | None] = mapped_column(Float)
    Source: Mapped[str] = mapped_column(String(16))  # photo, kiosk, manual
    RecordedBy: Mapped[str | None] = mapped_column(String(64))
    UpdatedAt: Mapped[datetime | None] = mapped_column(DateTime)


class AttendanceReviews(PersonSession, Base):
    """A face of an attendance photo that needs a person's confirmation (its best candidate, its box);
    one per candidate, date and session, so that sending the photo again adds nothing."""

    __tablename__ = "AttendanceReviews"
    __table_args__ = (
        Index(
            "ux_review_person_day_session", "PersonKey", "AttendanceDate", "SessionID", unique=True
        ),
        Index("ix_review_date", "AttendanceDate"),
    )

    ReviewID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ClassName: Mapped[str | None] = mapped_column(String(64))
    Similarity: Mapped[float] = mapped_column(Float)
    BBox: Mapped[list[float]] = mapped_column(JSON)
    Source: Mapped[str] = mapped_column(String(16))
    Status: Mapped[str] = mapped_column(String(16))  # pending, confirmed, rejected
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)
    ResolvedAt: Mapped[datetime | None] = mapped_column(DateTime)
    ResolvedBy: Mapped[str | None] = mapped_column(String(64))


class AttendanceChanges(PersonSession, Base):
    """The audit trail of attendance: every confirmation, rejection and manual mark, with who made it."""

    __tablename__ = "AttendanceChanges"
    __table_args__ = (
        Index("ix_change_date", "AttendanceDate"),
        Index("ix_change_person", "PersonKey"),
    )

    ChangeID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    Action: Mapped[str] = mapped_column(String(32))  # confirm, reject, mark_present, mark_absent
    OldStatus: Mapped[str | None] = mapped_column(String(16))
    NewStatus: Mapped[str | None] = mapped_column(String(16))
    RecordID: Mapped[int | None] = mapped_column(Integer)
    ReviewID: Mapped[int | None] = mapped_column(Integer)
    ChangedBy: Mapped[str] = mapped_column(String(64))
    Note: Mapped[str | None] = mapped_column(String(255))
    Client: Mapped[str | None] = mapped_column(String(64))
    ChangedAt: Mapped[datetime] = mapped_column(DateTime)


class FaceRecognitionLogs(Base):
    __tablename__ = "FaceRecognitionLogs"
    __table_args__ = (
        Index("ix_logs_created", "CreatedAt"),
        Index("ix_logs_person", "PersonType", "PersonID"),
    )

    LogID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    Operation: Mapped[str] = mapped_column(String(16))
    Result: Mapped[str] = mapped_column(String(32))
    Similarity: Mapped[float | None] = mapped_column(Float)
    Threshold: Mapped[float | None] = mapped_column(Float)
    PersonType: Mapped[str | None] = mapped_column(String(16))
    PersonID: Mapped[str | None] = mapped_column(PersonId)
    FaceID: Mapped[int | None] = mapped_column(Integer)
    ModelPack: Mapped[str | None] = mapped_column(String(64))
    Client: Mapped[str | None] = mapped_column(String(64))
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


class IndexChanges(Base):
    """One row per face a write touched (enrolled, deleted, re-embedded, its person (de)activated).
    Each server process reads the rows it has not applied, joined to those faces as FaceData holds
    them now, so that its index follows the writes of other processes and hosts
    (``service/index_sync.py``)."""

    __tablename__ = "IndexChanges"
    __table_args__ = (Index("ix_index_changes_created", "CreatedAt"),)

    ChangeID: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    FaceID: Mapped[int] = mapped_column(Integer)
    Action: Mapped[str] = mapped_column(String(16))  # add, remove (what the writer did; for people)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


def core_table(model: type[Base]) -> Table:
    """The Core table of a mapped class, for statements that skip the ORM: an INSERT of rows that
    are never read back costs half as much without the unit of work."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
