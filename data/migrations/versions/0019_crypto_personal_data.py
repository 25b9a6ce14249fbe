"""Personal data encrypted at rest: legal representatives, contact phones, practitioners' ID numbers and phones.

The columns become text wide enough for a ciphertext (data/crypto.py), practitioner gains the blind index of its
ID number, and the plaintext rows already stored are encrypted under the installed data key (batches of 1000,
inside the migration's transaction). Downgrade decrypts them back into the old columns.

Revision ID: 0019
Revises: 0018
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: Union[str, Sequence[str], None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table → {column: its width before encryption}
COLUMNS = {"entity": {"legal_representative": 64, "contact_phone": 32},
           "practitioner": {"id_number": 18, "phone": 32}}
BATCH = 1000


def _convert(name: str, columns: dict[str, int], change, index: bool) -> None:
    """Apply `change(value, "table.column")` to every non-null personal value of `name`, batch by batch."""
    from data import crypto

    conn = op.get_bind()
    raw = sa.table(name, sa.column("id"), *(sa.column(c, sa.Text) for c in columns), sa.column("id_number_index"))
    last_id, ring = None, None
    while True:
        query = sa.select(raw.c.id, *(raw.c[c] for c in columns)).order_by(raw.c.id).limit(BATCH)
        rows = conn.execute(query if last_id is None else query.where(raw.c.id > last_id)).mappings().all()
        if not rows:
            return
        ring = ring or crypto.keyring()  # asked for only when there is something to convert
        last_id = rows[-1]["id"]
        updates = []
        for row in rows:
            values = {f"new_{c}": change(ring, row[c], f"{name}.{c}") for c in columns}
            if index:
                values["new_id_number_index"] = ring.blind_index(row["id_number"], "practitioner.id_number")
            updates.append({"row_id": row["id"], **values})
        targets = [k.removeprefix("new_") for k in updates[0] if k != "row_id"]
        conn.execute(raw.update().where(raw.c.id == sa.bindparam("row_id"))
                     .values({t: sa.bindparam(f"new_{t}") for t in targets}), updates)


def _retype(to_text: bool) -> None:
    """Widen the columns for ciphertext (or narrow them back). Not on SQLite: it keeps any length in a VARCHAR
    column, and its batch mode would rebuild `entity`, which fails once other rows point at entities."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for name, columns in COLUMNS.items():
        with op.batch_alter_table(name) as batch:
            for column, width in columns.items():
                old, new = (sa.String(width), sa.Text()) if to_text else (sa.Text(), sa.String(width))
                batch.alter_column(column, type_=new, existing_type=old, existing_nullable=True)


def upgrade() -> None:
    _retype(to_text=True)
    with op.batch_alter_table("practitioner") as batch:
        batch.add_column(sa.Column("id_number_index", sa.String(64), nullable=True))
        batch.create_index(batch.f("ix_practitioner_id_number_index"), ["id_number_index"])
    _convert("entity", COLUMNS["entity"], lambda ring, v, c: ring.encrypt(v, c), index=False)
    _convert("practitioner", COLUMNS["practitioner"], lambda ring, v, c: ring.encrypt(v, c), index=True)


def downgrade() -> None:
    for name, columns in COLUMNS.items():
        _convert(name, columns, lambda ring, v, c: ring.decrypt(v, c), index=False)
    with op.batch_alter_table("practitioner") as batch:
        batch.drop_index(batch.f("ix_practitioner_id_number_index"))
        batch.drop_column("id_number_index")
    _retype(to_text=False)
