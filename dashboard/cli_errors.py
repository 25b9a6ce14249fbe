"""How every `weijian` command fails: one red line on stderr, exit code 1."""

import typer


def fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)
