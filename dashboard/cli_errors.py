"""How every `weijian` command fails: one red line on stderr, exit code 1."""

import typer


def fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


def day(value: str, flag: str):
    """A YYYY-MM-DD option as a date (None when left empty); a bad value fails naming the option."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        fail(f"{flag} {value!r} is not a date (YYYY-MM-DD)")
