"""Imported boundaries: boundary sets and their polygons; region codes widened to 40 characters.

An imported region's code is whatever its file calls it (NTA "BK0101", SF neighbourhood "Outer Richmond"),
so every region-code column grows from the six digits of an adcode (twelve for `region`) to 40. PostgreSQL
enforces VARCHAR lengths, so there the columns are altered (a length increase rewrites no rows); SQLite
ignores declared lengths, so its tables are left as they are rather than rebuilt.

Revision ID: 0016
Revises: 0015
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WIDE = 40


def _code_columns() -> list[tuple[str, str, int]]:
    """(table, column, declared length) of every region-code column: names ending in `adcode`, VARCHAR."""
    inspector = sa.inspect(op.get_bind())
    found = []
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            kind = column["type"]
            if column["name"].endswith("adcode") and isinstance(kind, sa.String) and kind.length:
                found.append((table, column["name"], kind.length))
    return found


def _resize(lengths: dict[tuple[str, str], int]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for (table, column), length in lengths.items():
        op.alter_column(table, column, type_=sa.String(length), existing_nullable=True)


def upgrade() -> None:
    _resize({(table, column): WIDE for table, column, _ in _code_columns()})
    op.create_table(
        "boundary_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level_name", sa.String(32), nullable=False),
        sa.Column("root_adcode", sa.String(WIDE), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("features", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["root_adcode"], ["region.adcode"], name=op.f("fk_boundary_set_root_adcode_region")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundary_set")),
    )
    op.create_index(op.f("ix_boundary_set_root_adcode"), "boundary_set", ["root_adcode"])
    op.create_table(
        "boundary",
        sa.Column("adcode", sa.String(WIDE), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["adcode"], ["region.adcode"], name=op.f("fk_boundary_adcode_region")),
        sa.ForeignKeyConstraint(["set_id"], ["boundary_set.id"], name=op.f("fk_boundary_set_id_boundary_set")),
        sa.PrimaryKeyConstraint("adcode", name=op.f("pk_boundary")),
    )
    op.create_index(op.f("ix_boundary_set_id"), "boundary", ["set_id"])


def downgrade() -> None:
    """Drops the imported boundaries; on PostgreSQL the code columns shrink back (refused while a longer code is stored)."""
    op.drop_index(op.f("ix_boundary_set_id"), table_name="boundary")
    op.drop_table("boundary")
    op.drop_index(op.f("ix_boundary_set_root_adcode"), table_name="boundary_set")
    op.drop_table("boundary_set")
    _resize({(table, column): 12 if table == "region" or column == "parent_adcode" or
             (column == "region_adcode" and table in ("inspector", "app_user", "display_token")) else 6
             for table, column, _ in _code_columns()})
