"""Construction projects (建设项目卫生审查): design review and completion acceptance applications.

Revision ID: 0020
Revises: 0019
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TYPES = ("hospital", "radiology_room", "water_plant", "public_place", "school", "occupational")
STAGES = ("design_review", "completion_acceptance")
OUTCOMES = ("approved", "conditional", "rejected", "pending")
SPECIALTIES = ("public_place", "drinking_water", "medical", "occupational", "radiation", "school", "infectious",
               "disinfection")
INDEXED = ("applied_on", "entity_id", "province_adcode", "city_adcode", "county_adcode")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def upgrade() -> None:
    op.create_table(
        "construction_project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_no", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("applicant", sa.String(128), nullable=False),
        sa.Column("specialty", sa.String(16), nullable=False),
        sa.Column("project_type", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(24), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("province_adcode", sa.String(40), nullable=True),
        sa.Column("city_adcode", sa.String(40), nullable=True),
        sa.Column("county_adcode", sa.String(40), nullable=True),
        sa.CheckConstraint(_one_of("project_type", TYPES), name=op.f("ck_construction_project_project_type")),
        sa.CheckConstraint(_one_of("stage", STAGES), name=op.f("ck_construction_project_stage")),
        sa.CheckConstraint(_one_of("outcome", OUTCOMES), name=op.f("ck_construction_project_outcome")),
        sa.CheckConstraint(_one_of("specialty", SPECIALTIES), name=op.f("ck_construction_project_specialty")),
        sa.CheckConstraint("(outcome = 'pending') = (decided_on IS NULL)", name=op.f("ck_construction_project_decided")),
        sa.CheckConstraint("decided_on IS NULL OR decided_on >= applied_on", name=op.f("ck_construction_project_dates")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_construction_project_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_construction_project")),
        sa.UniqueConstraint("project_no", name=op.f("uq_construction_project_project_no")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_construction_project_{column}"), "construction_project", [column])


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_construction_project_{column}"), table_name="construction_project")
    op.drop_table("construction_project")
