"""Rollups by type: records per county, month, specialty and inspection kind / penalty kind / complaint category.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "rollup_kind_month",
        sa.Column("county_adcode", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("specialty", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("city_adcode", sa.String(length=6), nullable=False),
        sa.Column("province_adcode", sa.String(length=6), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", "month", "specialty", "source", "kind", name=op.f("pk_rollup_kind_month")),
    )
    with op.batch_alter_table("rollup_kind_month", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rollup_kind_month_city_adcode_month"), ["city_adcode", "month"], unique=False)
        batch_op.create_index(batch_op.f("ix_rollup_kind_month_province_adcode_month"), ["province_adcode", "month"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rollup_kind_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rollup_kind_month_province_adcode_month"))
        batch_op.drop_index(batch_op.f("ix_rollup_kind_month_city_adcode_month"))
    op.drop_table("rollup_kind_month")
