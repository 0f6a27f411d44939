"""The engine and its faces as separate processes: published pictures and the lease.

``live_pictures`` holds the engine's latest picture of each day, for the API processes;
``engine_lease`` names the active engine and how far it has handled the event log.

Revision ID: 0007_engine_and_faces
Revises: 0006_company_settings
Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_engine_and_faces"
down_revision: str | None = "0006_company_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_pictures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_live_pictures")),
    )
    op.create_table(
        "engine_lease",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_cursor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_engine_lease_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engine_lease")),
    )


def downgrade() -> None:
    op.drop_table("engine_lease")
    op.drop_table("live_pictures")
