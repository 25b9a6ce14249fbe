"""`weijian crypto new-key|rotate`: the keys that encrypt personal data at rest (data/crypto.py).

Rotation: put a new key first in WEIJIAN_DATA_KEY (or the key file), keep the old one after it, run
`weijian crypto rotate`, then drop the old key. Until the rotation has finished both keys are needed.
"""

from __future__ import annotations

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

crypto_app = typer.Typer(help="Keys of the personal data encrypted at rest.", no_args_is_help=True)


@crypto_app.command("new-key")
def new_key(key_id: str = typer.Argument(..., help="A short name for the key, e.g. 2026a (letters, digits, - _).")) -> None:
    """Print a new random data key as `id:base64key`, for WEIJIAN_DATA_KEY or the key file."""
    from data import crypto

    try:
        typer.echo(crypto.new_key(key_id).text())
    except crypto.DataKeyError as exc:
        fail(str(exc))


@crypto_app.command("rotate")
def rotate(batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Rows per transaction.")) -> None:
    """Re-encrypt every personal value under the first configured key, in batches (one transaction each)."""
    from data import crypto, db, personal

    settings = get_settings()
    try:
        settings.install_data_keyring()
        changed = personal.rotate(db.make_engine(settings.db_url), batch_size, progress=typer.echo)
    except crypto.DataKeyError as exc:
        fail(str(exc))
    total = ", ".join(f"{name} {n:,}" for name, n in changed.items())
    typer.echo(f"re-encrypted under key {crypto.keyring().current.id}: {total}")
