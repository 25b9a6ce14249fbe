"""Rollups: reports due and received from monitoring devices, for uptime by region, month and specialty.

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("rollup_region_month", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_expected", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("device_reported", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rollup_region_month", schema=None) as batch_op:
        batch_op.drop_column("device_reported")
        batch_op.drop_column("device_expected")
