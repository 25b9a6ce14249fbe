"""Five-dimension status of medical institutions (indicator set as data, status history, entity.institution_status);
chief_physician joined to practitioner by licence number.

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: Union[str, Sequence[str], None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DIMENSIONS = "('performance', 'service', 'enforcement', 'quality', 'operation')"
STATUSES = "('normal', 'attention', 'warning')"

# A chief physician stored before the join has a licence no practitioner holds: it becomes a practitioner
# (a doctor, registered at the clinic since its check-in device was installed) rather than being dropped.
ORPHANS = """
FROM chief_physician c JOIN device d ON d.id = c.device_id
WHERE NOT EXISTS (SELECT 1 FROM practitioner p WHERE p.licence_no = c.licence_no)
"""


def upgrade() -> None:
    op.create_table(
        "institution_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dimension", sa.String(16), nullable=True),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("cap", sa.Float(), nullable=True),
        sa.Column("window_days", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(256), nullable=False),
        sa.CheckConstraint("kind IN ('indicator', 'threshold')", name=op.f("ck_institution_indicator_kind")),
        sa.CheckConstraint(f"dimension IS NULL OR dimension IN {DIMENSIONS}", name=op.f("ck_institution_indicator_dimension")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_indicator")),
    )
    op.create_index(op.f("ix_institution_indicator_key_valid_to"), "institution_indicator", ["key", "valid_to"])
    op.create_table(
        "institution_status",
        sa.Column("id", BigId, nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(d, sa.Float(), nullable=False) for d in ("performance", "service", "enforcement", "quality", "operation")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("indicator_version", sa.Integer(), nullable=False),
        sa.Column("province_adcode", sa.String(40), nullable=True),
        sa.Column("city_adcode", sa.String(40), nullable=True),
        sa.Column("county_adcode", sa.String(40), nullable=True),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_institution_status_status")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_institution_status_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_status")),
    )
    op.create_index(op.f("ix_institution_status_entity_id_as_of"), "institution_status", ["entity_id", "as_of"])
    op.create_index(op.f("ix_institution_status_as_of_status"), "institution_status", ["as_of", "status"])
    for level in ("province", "city", "county"):
        op.create_index(op.f(f"ix_institution_status_{level}_adcode"), "institution_status", [f"{level}_adcode"])
    # Not a batch on SQLite: that copies the entity table, and with foreign keys on, dropping the old copy fails
    # while other tables point at its rows. SQLite adds a column with its (named) CHECK in place.
    check = f"institution_status IS NULL OR institution_status IN {STATUSES}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE entity ADD COLUMN institution_status VARCHAR(16) "
                   f"CONSTRAINT ck_entity_institution_status CHECK ({check})")
    else:
        op.add_column("entity", sa.Column("institution_status", sa.String(16), nullable=True))
        op.create_check_constraint(op.f("ck_entity_institution_status"), "entity", check)
    op.execute("INSERT INTO practitioner (licence_no, name, kind, rx_ordinary, rx_narcotic) "
               "SELECT c.licence_no, c.name, 'doctor', " + "false, false " + ORPHANS)
    op.execute("INSERT INTO practitioner_registration (practitioner_id, entity_id, main, valid_from) "
               "SELECT p.id, c.entity_id, true, d.installed_on FROM chief_physician c JOIN device d ON d.id = c.device_id "
               "JOIN practitioner p ON p.licence_no = c.licence_no WHERE NOT EXISTS (SELECT 1 FROM practitioner_registration r "
               "WHERE r.practitioner_id = p.id AND r.entity_id = c.entity_id)")
    with op.batch_alter_table("chief_physician") as batch:
        batch.create_foreign_key(op.f("fk_chief_physician_licence_no_practitioner"), "practitioner",
                                 ["licence_no"], ["licence_no"])


def downgrade() -> None:
    with op.batch_alter_table("chief_physician") as batch:
        batch.drop_constraint(op.f("fk_chief_physician_licence_no_practitioner"), type_="foreignkey")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE entity DROP COLUMN institution_status")  # SQLite ≥ 3.35; its CHECK goes with it
    else:
        op.drop_constraint(op.f("ck_entity_institution_status"), "entity", type_="check")
        op.drop_column("entity", "institution_status")
    op.drop_table("institution_status")
    op.drop_index(op.f("ix_institution_indicator_key_valid_to"), table_name="institution_indicator")
    op.drop_table("institution_indicator")
