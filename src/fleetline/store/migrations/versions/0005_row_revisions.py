"""Row revisions: orders and plans count their changes, so readers re-read only what moved.

Revision ID: 0005_row_revisions
Revises: 0004_admin
Create Date: 2026-12-02 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_row_revisions"
down_revision: str | None = "0004_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("orders", "plans"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("revision", sa.Integer, nullable=False, server_default="1")
            )


def downgrade() -> None:
    for table in ("orders", "plans"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("revision")
