"""Practitioners (一人一档) and their registrations, institutions' licensed departments, prescription checks.

Rules as data (prescription_rule, seeded from data/prescriptions/rules.csv), the prescriptions as sent,
the hits that are the evidence behind an alert, and the alert's prescriber and evidence columns.

Revision ID: 0014
Revises: 0013
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('practitioner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_no', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=True),
    sa.Column('scope', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=32), nullable=True),
    sa.Column('rx_ordinary', sa.Boolean(), nullable=False),
    sa.Column('rx_narcotic', sa.Boolean(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.CheckConstraint("category IS NULL OR category IN ('clinical', 'tcm', 'dental', 'public_health')", name=op.f('ck_practitioner_category')),
    sa.CheckConstraint("kind IN ('doctor', 'nurse')", name=op.f('ck_practitioner_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner')),
    sa.UniqueConstraint('licence_no', name=op.f('uq_practitioner_licence_no'))
    )
    op.create_table('prescription_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('drug_class', sa.String(length=16), nullable=False),
    sa.Column('dosage_form', sa.String(length=24), nullable=False),
    sa.Column('setting', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('department', sa.String(length=16), nullable=False),
    sa.Column('max_days', sa.Float(), nullable=True),
    sa.Column('max_doses', sa.Integer(), nullable=True),
    sa.Column('required_right', sa.String(length=16), nullable=True),
    sa.Column('extendable', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=256), nullable=False),
    sa.CheckConstraint("rule IN ('rx_no_right', 'rx_outside_category', 'rx_outside_licence', 'rx_over_days', 'rx_not_registered')", name=op.f('ck_prescription_rule_rule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_rule'))
    )
    op.create_table('entity_department',
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=16), nullable=False),
    sa.CheckConstraint("department IN ('internal', 'surgery', 'paediatrics', 'obstetrics', 'emergency', 'pain', 'tcm', 'dental', 'preventive')", name=op.f('ck_entity_department_department')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_entity_department_entity_id_entity')),
    sa.PrimaryKeyConstraint('entity_id', 'department', name=op.f('pk_entity_department'))
    )
    op.create_table('practitioner_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('main', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_practitioner_registration_entity_id_entity')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_practitioner_registration_practitioner_id_practitioner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner_registration'))
    )
    with op.batch_alter_table('practitioner_registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_registration_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practitioner_registration_practitioner_id_entity_id'), ['practitioner_id', 'entity_id'], unique=False)

    op.create_table('prescription',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('rx_no', sa.String(length=32), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('setting', sa.String(length=16), nullable=False),
    sa.Column('department', sa.String(length=16), nullable=False),
    sa.Column('diagnosis', sa.String(length=64), nullable=True),
    sa.Column('drug', sa.String(length=64), nullable=False),
    sa.Column('drug_class', sa.String(length=16), nullable=False),
    sa.Column('dosage_form', sa.String(length=24), nullable=False),
    sa.Column('days', sa.Float(), nullable=False),
    sa.Column('doses', sa.Integer(), nullable=True),
    sa.Column('extension_reason', sa.String(length=128), nullable=True),
    sa.CheckConstraint("department IN ('internal', 'surgery', 'paediatrics', 'obstetrics', 'emergency', 'pain', 'tcm', 'dental', 'preventive')", name=op.f('ck_prescription_department')),
    sa.CheckConstraint("dosage_form IN ('injection', 'controlled_release', 'other')", name=op.f('ck_prescription_dosage_form')),
    sa.CheckConstraint("drug_class IN ('ordinary', 'narcotic', 'psych1', 'psych2')", name=op.f('ck_prescription_drug_class')),
    sa.CheckConstraint("setting IN ('outpatient', 'emergency', 'pain', 'inpatient')", name=op.f('ck_prescription_setting')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_prescription_entity_id_entity')),
    sa.ForeignKeyConstraint(['practitioner_id'], ['practitioner.id'], name=op.f('fk_prescription_practitioner_id_practitioner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription')),
    sa.UniqueConstraint('entity_id', 'rx_no', name=op.f('uq_prescription_entity_id_rx_no'))
    )
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prescription_practitioner_id_issued_on'), ['practitioner_id', 'issued_on'], unique=False)

    op.create_table('prescription_hit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('prescription_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('alert_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('detail', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_prescription_hit_alert_id_alert')),
    sa.ForeignKeyConstraint(['prescription_id'], ['prescription.id'], name=op.f('fk_prescription_hit_prescription_id_prescription')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prescription_hit'))
    )
    with op.batch_alter_table('prescription_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prescription_hit_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prescription_hit_prescription_id'), ['prescription_id'], unique=False)

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practitioner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_alert_practitioner_id'), ['practitioner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_alert_practitioner_id_practitioner'), 'practitioner', ['practitioner_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alert_practitioner_id_practitioner'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alert_practitioner_id'))
        batch_op.drop_column('evidence')
        batch_op.drop_column('practitioner_id')

    with op.batch_alter_table('prescription_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_hit_prescription_id'))
        batch_op.drop_index(batch_op.f('ix_prescription_hit_alert_id'))

    op.drop_table('prescription_hit')
    with op.batch_alter_table('prescription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prescription_practitioner_id_issued_on'))

    op.drop_table('prescription')
    with op.batch_alter_table('practitioner_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioner_registration_practitioner_id_entity_id'))
        batch_op.drop_index(batch_op.f('ix_practitioner_registration_entity_id'))

    op.drop_table('practitioner_registration')
    op.drop_table('entity_department')
    op.drop_table('prescription_rule')
    op.drop_table('practitioner')
