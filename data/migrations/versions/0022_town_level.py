"""Town level: a fourth region-code column (乡镇街道 / 网格 imported under a county) on every record, and in the
rollups' key.

Records gain a nullable `town_adcode` with its index (None wherever no town level is imported: every row
stored before this revision). The rollup tables gain `town_adcode` in their primary key, NOT NULL with ''
(data.models.NO_TOWN) for counties without towns, which is what every existing rollup row is; SQLite cannot
change a primary key in place, so there those two tables are rebuilt by batch mode, keeping their rows.

Revision ID: 0022
Revises: 0021
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WIDE = 40
RECORDS = ("entity", "inspection", "penalty", "construction_project", "complaint", "device", "alert", "risk_score",
           "risk_ledger", "credit_assessment", "random_draw", "random_draw_item", "institution_status")
ROLLUPS = {"rollup_region_month": ("county_adcode", "month", "specialty"),
           "rollup_kind_month": ("county_adcode", "month", "specialty", "source", "kind")}


def upgrade() -> None:
    for table in RECORDS:
        op.add_column(table, sa.Column("town_adcode", sa.String(WIDE), nullable=True))
        op.create_index(op.f(f"ix_{table}_town_adcode"), table, ["town_adcode"])
    for table, key in ROLLUPS.items():
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.add_column(sa.Column("town_adcode", sa.String(WIDE), nullable=False, server_default=""))
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", [key[0], "town_adcode", *key[1:]])


def downgrade() -> None:
    """Drops the town column; counties with town rollups are marked pending and their rollups rebuilt by the sweep."""
    op.execute(sa.text("INSERT INTO rollup_pending (county_adcode) SELECT DISTINCT county_adcode FROM rollup_region_month "
                       "WHERE town_adcode <> '' AND county_adcode NOT IN (SELECT county_adcode FROM rollup_pending)"))
    for table, key in ROLLUPS.items():
        # A county's town rows would collide on the old key: they go, and the sweep rebuilds the county.
        op.execute(sa.text(f"DELETE FROM {table} WHERE county_adcode IN (SELECT county_adcode FROM rollup_pending)"))
        with op.batch_alter_table(table, recreate="auto") as batch:
            batch.drop_constraint(f"pk_{table}", type_="primary")
            batch.create_primary_key(f"pk_{table}", list(key))
            batch.drop_column("town_adcode")
    for table in RECORDS:
        op.drop_index(op.f(f"ix_{table}_town_adcode"), table_name=table)
        op.drop_column(table, "town_adcode")  # SQLite >= 3.35 drops a column in place: no table rebuild
