"""Loads within bounds: no capacity or demand above a million of one dimension.

The API now refuses such amounts (a capacity of ``10**30`` pallets made every later plan
of the company fail to build). Amounts stored before are lowered to the bound, so that
every vehicle and order reads again; an order that truly needs more is left out of the
plan with its capacity reason, as before.

Revision ID: 0009_bounded_loads
Revises: 0008_event_log_without_lock
Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_bounded_loads"
down_revision: str | None = "0008_event_log_without_lock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LARGEST_LOAD = 1_000_000
"""The bound of this revision (``fleetline.domain.values.LARGEST_LOAD`` when written)."""


def _lower(table: str, column: str) -> None:
    rows = sa.table(table, sa.column("id", sa.String), sa.column(column, sa.JSON))
    connection = op.get_bind()
    for row_id, load in connection.execute(sa.select(rows.c.id, rows.c[column])).all():
        if not isinstance(load, dict):
            continue
        bounded = {
            name: min(amount, LARGEST_LOAD) if isinstance(amount, int) else amount
            for name, amount in load.items()
        }
        if bounded != load:
            connection.execute(sa.update(rows).where(rows.c.id == row_id).values({column: bounded}))


def upgrade() -> None:
    """Lower every stored capacity and demand amount above the bound to the bound."""
    _lower("vehicles", "capacity")
    _lower("orders", "demand")


def downgrade() -> None:
    """Nothing to undo: the amounts above the bound are not kept."""
