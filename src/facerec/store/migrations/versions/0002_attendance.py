"""Attendance: class and active flag on people, one attendance record per person/date/session,
review queue and audit trail of corrections, image hash on faces, person index on the logs.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

PERSON_ID = sa.String(64).with_variant(
    mysql.VARCHAR(64, collation="utf8mb4_bin"), "mysql", "mariadb"
)
PERSON_KEY = sa.String(80).with_variant(
    mysql.VARCHAR(80, collation="utf8mb4_bin"), "mysql", "mariadb"
)
# The person-id columns of 0001, as (table, column, nullable).
ID_COLUMNS = [
    ("Student", "StudentID", False),
    ("Teacher", "TeacherID", False),
    ("FaceData", "StudentID", True),
    ("FaceData", "TeacherID", True),
    ("AttendanceRecords", "StudentID", True),
    ("AttendanceRecords", "TeacherID", True),
    ("FaceRecognitionLogs", "PersonID", True),
]


def _owner_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("StudentID", PERSON_ID, sa.ForeignKey("Student.StudentID", ondelete="CASCADE")),
        sa.Column("TeacherID", PERSON_ID, sa.ForeignKey("Teacher.TeacherID", ondelete="CASCADE")),
        sa.Column("PersonKey", PERSON_KEY, nullable=False),
        sa.Column("AttendanceDate", sa.Date, nullable=False),
        sa.Column("SessionID", sa.String(64), nullable=False, server_default=""),
    ]


def _one_per_person_day_session(name: str, table: str) -> None:
    """The unique key of the attendance tables: one row per person, date and session."""
    op.create_index(name, table, ["PersonKey", "AttendanceDate", "SessionID"], unique=True)


def _exact_person_ids() -> None:
    """On MySQL/MariaDB, make person ids compare exactly (binary collation), as SQLite does: with the
    default case-insensitive collation "abc" and "ABC" were one person to the database and two to
    the index. The foreign keys on these columns must be dropped while they change."""
    bind = op.get_bind()
    if bind.dialect.name not in ("mysql", "mariadb"):
        return
    inspector = sa.inspect(bind)
    foreign_keys = {t: inspector.get_foreign_keys(t) for t in ("FaceData", "AttendanceRecords")}
    for table, keys in foreign_keys.items():
        for key in keys:
            op.drop_constraint(str(key["name"]), table, type_="foreignkey")
    for table, column, nullable in ID_COLUMNS:
        op.alter_column(
            table, column, type_=PERSON_ID, existing_type=sa.String(64), existing_nullable=nullable
        )
    for table, keys in foreign_keys.items():
        for key in keys:
            op.create_foreign_key(
                key["name"],
                table,
                key["referred_table"],
                key["constrained_columns"],
                key["referred_columns"],
                ondelete=key["options"].get("ondelete"),
            )


def _one_record_per_person_and_day() -> int:
    """0001 allowed several records of one person on one day; from here there is one per person,
    date and session (the whole day, for these). Keep the first of each; return how many went.
    Runs before any DDL: MySQL cannot roll DDL back, so nothing may fail after it has begun."""
    result = op.get_bind().execute(
        sa.text(
            "DELETE FROM AttendanceRecords WHERE RecordID NOT IN (SELECT kept FROM "
            "(SELECT MIN(RecordID) AS kept FROM AttendanceRecords "
            "GROUP BY StudentID, TeacherID, AttendanceDate) AS firsts)"
        )
    )
    return int(result.rowcount or 0)


def upgrade() -> None:
    merged = _one_record_per_person_and_day()
    if merged:
        log.warning("0002: %d repeated attendance records (same person, same day) removed", merged)
    _exact_person_ids()
    for table in ("Student", "Teacher"):
        op.add_column(table, sa.Column("ClassName", sa.String(64)))
        op.add_column(
            table, sa.Column("Active", sa.Boolean, nullable=False, server_default=sa.true())
        )
        op.add_column(table, sa.Column("UpdatedAt", sa.DateTime))
        op.create_index(f"ix_{table.lower()}_class", table, ["ClassName"])

    op.add_column("FaceData", sa.Column("ImageSHA256", sa.String(64)))
    op.create_index("ix_facedata_image_sha256", "FaceData", ["ImageSHA256"])

    op.add_column(
        "AttendanceRecords",
        sa.Column("PersonKey", PERSON_KEY, nullable=False, server_default=""),
    )
    op.add_column(
        "AttendanceRecords",
        sa.Column("SessionID", sa.String(64), nullable=False, server_default=""),
    )
    op.add_column("AttendanceRecords", sa.Column("ClassName", sa.String(64)))
    op.add_column("AttendanceRecords", sa.Column("RecordedBy", sa.String(64)))
    op.add_column("AttendanceRecords", sa.Column("UpdatedAt", sa.DateTime))
    op.execute(
        "UPDATE AttendanceRecords SET PersonKey = CASE WHEN StudentID IS NOT NULL "
        "THEN 'student:' || StudentID ELSE 'teacher:' || TeacherID END"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE AttendanceRecords SET PersonKey = CASE WHEN StudentID IS NOT NULL "
        "THEN CONCAT('student:', StudentID) ELSE CONCAT('teacher:', TeacherID) END"
    )
    with op.batch_alter_table("AttendanceRecords") as batch:  # the default only served the fill
        batch.alter_column(
            "PersonKey", existing_type=PERSON_KEY, existing_nullable=False, server_default=None
        )
    _one_per_person_day_session("ux_attendance_person_day_session", "AttendanceRecords")
    op.create_index("ix_attendance_student", "AttendanceRecords", ["StudentID"])
    op.create_index("ix_attendance_teacher", "AttendanceRecords", ["TeacherID"])

    op.create_table(
        "AttendanceReviews",
        sa.Column("ReviewID", sa.Integer, primary_key=True, autoincrement=True),
        *_owner_columns(),
        sa.Column("ClassName", sa.String(64)),
        sa.Column("Similarity", sa.Float, nullable=False),
        sa.Column("BBox", sa.JSON, nullable=False),
        sa.Column("Source", sa.String(16), nullable=False),
        sa.Column("Status", sa.String(16), nullable=False),
        sa.Column("CreatedAt", sa.DateTime, nullable=False),
        sa.Column("ResolvedAt", sa.DateTime),
        sa.Column("ResolvedBy", sa.String(64)),
    )
    _one_per_person_day_session("ux_review_person_day_session", "AttendanceReviews")
    op.create_index("ix_review_date", "AttendanceReviews", ["AttendanceDate"])

    op.create_table(
        "AttendanceChanges",
        sa.Column("ChangeID", sa.Integer, primary_key=True, autoincrement=True),
        *_owner_columns(),
        sa.Column("Action", sa.String(32), nullable=False),
        sa.Column("OldStatus", sa.String(16)),
        sa.Column("NewStatus", sa.String(16)),
        sa.Column("RecordID", sa.Integer),
        sa.Column("ReviewID", sa.Integer),
        sa.Column("ChangedBy", sa.String(64), nullable=False),
        sa.Column("Note", sa.String(255)),
        sa.Column("Client", sa.String(64)),
        sa.Column("ChangedAt", sa.DateTime, nullable=False),
    )
    op.create_index("ix_change_date", "AttendanceChanges", ["AttendanceDate"])
    op.create_index("ix_change_person", "AttendanceChanges", ["PersonKey"])

    op.create_index("ix_logs_person", "FaceRecognitionLogs", ["PersonType", "PersonID"])


def downgrade() -> None:
    op.drop_index("ix_logs_person", "FaceRecognitionLogs")
    op.drop_table("AttendanceChanges")
    op.drop_table("AttendanceReviews")
    for index in (
        "ux_attendance_person_day_session",
        "ix_attendance_student",
        "ix_attendance_teacher",
    ):
        op.drop_index(index, "AttendanceRecords")
    with op.batch_alter_table("AttendanceRecords") as batch:
        for column in ("PersonKey", "SessionID", "ClassName", "RecordedBy", "UpdatedAt"):
            batch.drop_column(column)
    op.drop_index("ix_facedata_image_sha256", "FaceData")
    with op.batch_alter_table("FaceData") as batch:
        batch.drop_column("ImageSHA256")
    for table in ("Student", "Teacher"):
        op.drop_index(f"ix_{table.lower()}_class", table)
        with op.batch_alter_table(table) as batch:
            for column in ("ClassName", "Active", "UpdatedAt"):
                batch.drop_column(column)
