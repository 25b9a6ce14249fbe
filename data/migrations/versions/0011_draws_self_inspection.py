"""双随机 draws (runs, items, weights seeded from data/draws/weights.csv, declared conflicts), self-inspection
records, and the licence reminder thresholds (dataset_meta `licence_reminder_days`).

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    from data.queries import licences
    from data.draws import weights

    op.create_table(
        "self_inspection",
        sa.Column("id", BigId, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("rectified", sa.Integer(), nullable=False),
        sa.CheckConstraint("findings >= 0", name=op.f("ck_self_inspection_findings")),
        sa.CheckConstraint("rectified >= 0 AND rectified <= findings", name=op.f("ck_self_inspection_rectified")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_self_inspection_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_inspection")),
        sa.UniqueConstraint("entity_id", "period", name=op.f("uq_self_inspection_entity_id_period")),
    )
    op.create_index(op.f("ix_self_inspection_entity_id"), "self_inspection", ["entity_id"])
    weight_table = op.create_table(
        "draw_weight",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("factor", sa.String(32), nullable=False),
        sa.Column("value", sa.String(32), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("note", sa.String(256), nullable=False),
        sa.PrimaryKeyConstraint("version", "factor", "value", name=op.f("pk_draw_weight")),
    )
    op.bulk_insert(weight_table, [{"version": 1, **row} for row in weights.seed_rows()])
    op.create_table(
        "inspector_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(256), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"], name=op.f("fk_inspector_conflict_inspector_id_inspector")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_inspector_conflict_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector_conflict")),
        sa.UniqueConstraint("inspector_id", "entity_id", name=op.f("uq_inspector_conflict_inspector_id_entity_id")),
    )
    op.create_index(op.f("ix_inspector_conflict_inspector_id"), "inspector_conflict", ["inspector_id"])
    op.create_index(op.f("ix_inspector_conflict_entity_id"), "inspector_conflict", ["entity_id"])
    op.create_table(
        "random_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(64), nullable=False),
        sa.Column("region_adcode", sa.String(6), nullable=False),
        sa.Column("specialty", sa.String(16), nullable=True),
        sa.Column("subtype", sa.String(32), nullable=True),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("seed_chosen", sa.Boolean(), nullable=False),
        sa.Column("weights_version", sa.Integer(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("province_adcode", sa.String(6), nullable=True),
        sa.Column("city_adcode", sa.String(6), nullable=True),
        sa.Column("county_adcode", sa.String(6), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_random_draw")),
    )
    op.create_index(op.f("ix_random_draw_run_at"), "random_draw", ["run_at"])
    for column in ("region_adcode", "province_adcode", "city_adcode", "county_adcode"):
        op.create_index(op.f(f"ix_random_draw_{column}"), "random_draw", [column])
    op.create_table(
        "random_draw_item",
        sa.Column("id", BigId, nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("second_inspector_id", sa.Integer(), nullable=False),
        sa.Column("risk_level", sa.String(16), nullable=False),
        sa.Column("self_inspection", sa.String(16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("province_adcode", sa.String(6), nullable=True),
        sa.Column("city_adcode", sa.String(6), nullable=True),
        sa.Column("county_adcode", sa.String(6), nullable=True),
        sa.ForeignKeyConstraint(["draw_id"], ["random_draw.id"], name=op.f("fk_random_draw_item_draw_id_random_draw")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_random_draw_item_entity_id_entity")),
        sa.ForeignKeyConstraint(["inspector_id"], ["inspector.id"], name=op.f("fk_random_draw_item_inspector_id_inspector")),
        sa.ForeignKeyConstraint(["second_inspector_id"], ["inspector.id"],
                                name=op.f("fk_random_draw_item_second_inspector_id_inspector")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_random_draw_item")),
        sa.UniqueConstraint("draw_id", "rank", name=op.f("uq_random_draw_item_draw_id_rank")),
        sa.UniqueConstraint("draw_id", "entity_id", name=op.f("uq_random_draw_item_draw_id_entity_id")),
    )
    for column in ("draw_id", "entity_id", "province_adcode", "city_adcode", "county_adcode"):
        op.create_index(op.f(f"ix_random_draw_item_{column}"), "random_draw_item", [column])
    meta = sa.table("dataset_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(meta, [{"key": licences.THRESHOLDS_KEY, "value": licences.DEFAULT_THRESHOLDS}])


def downgrade() -> None:
    from data.queries import licences

    op.execute(sa.text("DELETE FROM dataset_meta WHERE key = :key").bindparams(key=licences.THRESHOLDS_KEY))
    for column in ("county_adcode", "city_adcode", "province_adcode", "entity_id", "draw_id"):
        op.drop_index(op.f(f"ix_random_draw_item_{column}"), table_name="random_draw_item")
    op.drop_table("random_draw_item")
    for column in ("county_adcode", "city_adcode", "province_adcode", "region_adcode"):
        op.drop_index(op.f(f"ix_random_draw_{column}"), table_name="random_draw")
    op.drop_index(op.f("ix_random_draw_run_at"), table_name="random_draw")
    op.drop_table("random_draw")
    op.drop_index(op.f("ix_inspector_conflict_entity_id"), table_name="inspector_conflict")
    op.drop_index(op.f("ix_inspector_conflict_inspector_id"), table_name="inspector_conflict")
    op.drop_table("inspector_conflict")
    op.drop_table("draw_weight")
    op.drop_index(op.f("ix_self_inspection_entity_id"), table_name="self_inspection")
    op.drop_table("self_inspection")
