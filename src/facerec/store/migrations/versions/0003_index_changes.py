"""IndexChanges for several server processes on one database, and a binary copy of each vector.

IndexChanges names the faces each write touched, so that every server process's index follows the
writes of the others. FaceData gets a float32 copy of the JSON vector, which loads without parsing.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import json

import numpy as np
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BLOB = sa.LargeBinary().with_variant(mysql.BLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "IndexChanges",
        sa.Column("ChangeID", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("FaceID", sa.Integer, nullable=False),
        sa.Column("Action", sa.String(16), nullable=False),
        sa.Column("CreatedAt", sa.DateTime, nullable=False),
    )
    op.create_index("ix_index_changes_created", "IndexChanges", ["CreatedAt"])
    op.add_column("FaceData", sa.Column("Embedding", BLOB))
    _fill_binary_embeddings()


def _fill_binary_embeddings(batch_rows: int = 1000) -> None:
    """Copy every FaceDescriptor (JSON) into Embedding (float32 bytes), a batch at a time."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT FaceID, FaceDescriptor FROM FaceData WHERE FaceID > :last "
                "ORDER BY FaceID LIMIT :n"
            ),
            {"last": last, "n": batch_rows},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("UPDATE FaceData SET Embedding = :blob WHERE FaceID = :id"),
            [
                {
                    "id": face_id,
                    "blob": np.asarray(
                        json.loads(text) if isinstance(text, str) else text, dtype="<f4"
                    ).tobytes(),
                }
                for face_id, text in rows
            ],
        )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("FaceData") as batch:
        batch.drop_column("Embedding")
    op.drop_table("IndexChanges")
