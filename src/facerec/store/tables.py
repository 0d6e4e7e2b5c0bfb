"""The database tables, with the seed schema's PascalCase names.

``FaceData.FaceDescriptor`` holds the embedding as a JSON array and ``FaceData.ImageData`` the
uploaded image (LONGBLOB on MySQL/MariaDB). Every face records the model pack that made its embedding.
The schema is created and upgraded by the Alembic migrations in ``migrations/``; this module is the
model they were written from. Imports SQLAlchemy only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

LongBlob = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
PersonId = String(64)


class Base(DeclarativeBase):
    pass


class Student(Base):
    __tablename__ = "Student"

    StudentID: Mapped[str] = mapped_column(PersonId, primary_key=True)
    Name: Mapped[str | None] = mapped_column(String(255))
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


class Teacher(Base):
    __tablename__ = "Teacher"

    TeacherID: Mapped[str] = mapped_column(PersonId, primary_key=True)
    Name: Mapped[str | None] = mapped_column(String(255))
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


class FaceData(Base):
    __tablename__ = "FaceData"
    __table_args__ = (
        CheckConstraint("(StudentID IS NULL) <> (TeacherID IS NULL)", name="ck_facedata_one_owner"),
        Index("ix_facedata_student", "StudentID"),
        Index("ix_facedata_teacher", "TeacherID"),
        Index("ix_facedata_model", "ModelPack"),
    )

    FaceID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    StudentID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Student.StudentID", ondelete="CASCADE")
    )
    TeacherID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Teacher.TeacherID", ondelete="CASCADE")
    )
    FaceDescriptor: Mapped[list[float]] = mapped_column(JSON)
    ImageData: Mapped[bytes | None] = mapped_column(LongBlob)
    ImageMime: Mapped[str | None] = mapped_column(String(32))
    ModelPack: Mapped[str] = mapped_column(String(64))
    BBox: Mapped[list[float]] = mapped_column(JSON)
    DetScore: Mapped[float] = mapped_column(Float)
    CreatedAt: Mapped[datetime] = mapped_column(DateTime)


class AttendanceRecords(Base):
    __tablename__ = "AttendanceRecords"
    __table_args__ = (Index("ix_attendance_date", "AttendanceDate"),)

    RecordID: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    StudentID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Student.StudentID", ondelete="CASCADE")
    )
    TeacherID: Mapped[str | None] = mapped_column(
        PersonId, ForeignKey("Teacher.TeacherID", ondelete="CASCADE")
    )
    AttendanceDate: Mapped[date] = mapped_column(Date)
    RecordedAt: Mapped[datetime] = mapped_column(DateTime)
    Status: Mapped[str] = mapped_column(String(16))
    Confidence: Mapped[float | None] = mapped_column(Float)
    Source: Mapped[str] = mapped_column(String(16))


class FaceRecognitionLogs(Base):
    __tablename__ = "FaceRecognitionLogs"
    __table_args__ = (Index("ix_logs_created", "CreatedAt"),)

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
