"""Rollups per day: record counts per county, town, day and specialty, filled from the stored rows.

A period that starts or ends inside a month used to read those partial months from raw rows, over every
county of a province view (1.6 s cold on SQLite at province scale); now they are rollup rows. The table is
derived data: it is filled here by the same builder ingest uses (data.rollups.refresh_days), so an upgraded
database answers partial months at once.

Revision ID: 0023
Revises: 0022
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: Union[str, Sequence[str], None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WIDE = 40


def upgrade() -> None:
    op.create_table(
        "rollup_region_day",
        sa.Column("county_adcode", sa.String(WIDE), nullable=False),
        sa.Column("town_adcode", sa.String(WIDE), nullable=False, server_default=""),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("specialty", sa.String(16), nullable=False),
        sa.Column("city_adcode", sa.String(WIDE), nullable=False),
        sa.Column("province_adcode", sa.String(WIDE), nullable=False),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.Column("non_compliant", sa.Integer(), nullable=False),
        sa.Column("penalties", sa.Integer(), nullable=False),
        sa.Column("penalty_amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("complaints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", "town_adcode", "day", "specialty", name=op.f("pk_rollup_region_day")),
    )
    op.create_index(op.f("ix_rollup_region_day_city_adcode_day"), "rollup_region_day", ["city_adcode", "day"])
    op.create_index(op.f("ix_rollup_region_day_province_adcode_day"), "rollup_region_day", ["province_adcode", "day"])
    op.create_index(op.f("ix_rollup_region_day_day"), "rollup_region_day", ["day"])
    from data import rollups

    rollups.refresh_days(op.get_bind(), None)


def downgrade() -> None:
    op.drop_index(op.f("ix_rollup_region_day_day"), table_name="rollup_region_day")
    op.drop_index(op.f("ix_rollup_region_day_province_adcode_day"), table_name="rollup_region_day")
    op.drop_index(op.f("ix_rollup_region_day_city_adcode_day"), table_name="rollup_region_day")
    op.drop_table("rollup_region_day")
