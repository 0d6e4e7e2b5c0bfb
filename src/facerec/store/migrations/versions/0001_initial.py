"""The initial schema: Student, Teacher, FaceData, AttendanceRecords, FaceRecognitionLogs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PERSON_ID = sa.String(64)
LONG_BLOB = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


def _person_columns() -> list[sa.Column[str]]:
    return [
        sa.Column("StudentID", PERSON_ID, sa.ForeignKey("Student.StudentID", ondelete="CASCADE")),
        sa.Column("TeacherID", PERSON_ID, sa.ForeignKey("Teacher.TeacherID", ondelete="CASCADE")),
    ]


def upgrade() -> None:
    for table, key in (("Student", "StudentID"), ("Teacher", "TeacherID")):
        op.create_table(
            table,
            sa.Column(key, PERSON_ID, primary_key=True),
            sa.Column("Name", sa.String(255)),
            sa.Column("CreatedAt", sa.DateTime, nullable=False),
        )
    op.create_table(
        "FaceData",
        sa.Column("FaceID", sa.Integer, primary_key=True, autoincrement=True),
        *_person_columns(),
        sa.Column("FaceDescriptor", sa.JSON, nullable=False),
        sa.Column("ImageData", LONG_BLOB),
        sa.Column("ImageMime", sa.String(32)),
        sa.Column("ModelPack", sa.String(64), nullable=False),
        sa.Column("BBox", sa.JSON, nullable=False),
        sa.Column("DetScore", sa.Float, nullable=False),
        sa.Column("CreatedAt", sa.DateTime, nullable=False),
        sa.CheckConstraint(
            "(StudentID IS NULL) <> (TeacherID IS NULL)", name="ck_facedata_one_owner"
        ),
    )
    op.create_index("ix_facedata_student", "FaceData", ["StudentID"])
    op.create_index("ix_facedata_teacher", "FaceData", ["TeacherID"])
    op.create_index("ix_facedata_model", "FaceData", ["ModelPack"])
    op.create_table(
        "AttendanceRecords",
        sa.Column("RecordID", sa.Integer, primary_key=True, autoincrement=True),
        *_person_columns(),
        sa.Column("AttendanceDate", sa.Date, nullable=False),
        sa.Column("RecordedAt", sa.DateTime, nullable=False),
        sa.Column("Status", sa.String(16), nullable=False),
        sa.Column("Confidence", sa.Float),
        sa.Column("Source", sa.String(16), nullable=False),
    )
    op.create_index("ix_attendance_date", "AttendanceRecords", ["AttendanceDate"])
    op.create_table(
        "FaceRecognitionLogs",
        sa.Column("LogID", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("Operation", sa.String(16), nullable=False),
        sa.Column("Result", sa.String(32), nullable=False),
        sa.Column("Similarity", sa.Float),
        sa.Column("Threshold", sa.Float),
        sa.Column("PersonType", sa.String(16)),
        sa.Column("PersonID", PERSON_ID),
        sa.Column("FaceID", sa.Integer),
        sa.Column("ModelPack", sa.String(64)),
        sa.Column("Client", sa.String(64)),
        sa.Column("CreatedAt", sa.DateTime, nullable=False),
    )
    op.create_index("ix_logs_created", "FaceRecognitionLogs", ["CreatedAt"])


def downgrade() -> None:
    for table in ("FaceRecognitionLogs", "AttendanceRecords", "FaceData", "Teacher", "Student"):
        op.drop_table(table)
