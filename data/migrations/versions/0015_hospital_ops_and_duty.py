"""Hospital operations feed and 防挂证 check-ins: two monitoring scenes, chief physicians, clinic opening days.

Revision ID: 0015
Revises: 0014
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD_SCENES = ("water_plant", "water_tap", "swimming_pool", "public_air", "medical_waste", "xray_room", "occupational_dust")
NEW_SCENES = OLD_SCENES + ("hospital_ops", "duty_checkin")


def _scene_check(scenes: tuple[str, ...]) -> str:
    return "scene IN ({})".format(", ".join(f"'{s}'" for s in scenes))


def _replace_scene_check(scenes: tuple[str, ...]) -> None:
    with op.batch_alter_table("device") as batch:
        batch.drop_constraint(op.f("ck_device_scene"), type_="check")
        batch.create_check_constraint(op.f("ck_device_scene"), _scene_check(scenes))


def upgrade() -> None:
    _replace_scene_check(NEW_SCENES)
    op.create_table(
        "chief_physician",
        sa.Column("licence_no", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_chief_physician_entity_id_entity")),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"], name=op.f("fk_chief_physician_device_id_device")),
        sa.PrimaryKeyConstraint("licence_no", name=op.f("pk_chief_physician")),
        sa.UniqueConstraint("device_id", name=op.f("uq_chief_physician_device_id")),
    )
    op.create_index(op.f("ix_chief_physician_entity_id"), "chief_physician", ["entity_id"])
    op.create_table(
        "clinic_opening",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(7), nullable=False),
        sa.CheckConstraint("length(weekdays) = 7 AND weekdays NOT LIKE '%0000000%'", name=op.f("ck_clinic_opening_weekdays")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_clinic_opening_entity_id_entity")),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_clinic_opening")),
    )


def downgrade() -> None:
    op.drop_table("clinic_opening")
    op.drop_index(op.f("ix_chief_physician_entity_id"), table_name="chief_physician")
    op.drop_table("chief_physician")
    # Devices of the two scenes make the old check fail: the downgrade refuses rather than deleting their data.
    _replace_scene_check(OLD_SCENES)
