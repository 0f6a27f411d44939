"""The company's settings: the time zone its day is counted in, stored once.

An existing company keeps the zone it worked in until now (the depot whose name sorted
first), so the upgrade moves no day and no local time.

Revision ID: 0006_company_settings
Revises: 0005_row_revisions
Create Date: 2026-12-02 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_company_settings"
down_revision: str | None = "0005_row_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    settings = op.create_table(
        "company_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("timezone_source", sa.String(length=20), nullable=False),
        sa.Column("timezone_depot_id", sa.String(length=64), nullable=True),
        sa.Column("timezone_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone_changed_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_company_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_settings")),
    )
    depots = sa.table("depots", sa.column("id"), sa.column("name"), sa.column("timezone"))
    connection = op.get_bind()
    earlier = connection.execute(
        sa.select(depots.c.id, depots.c.timezone).order_by(depots.c.name, depots.c.id).limit(1)
    ).first()
    if earlier is None:
        return
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":  # stored as naive UTC there, as UtcDateTime does
        now = now.replace(tzinfo=None)
    connection.execute(
        sa.insert(settings).values(
            id=1,
            timezone=earlier.timezone,
            timezone_source="earlier_rule",
            timezone_depot_id=earlier.id,
            timezone_changed_at=now,
        )
    )


def downgrade() -> None:
    op.drop_table("company_settings")
