"""One column spec per listing, used twice: for the HTML table on the page and for its XLSX export, so what is
exported is exactly what is shown (same headers in the reader's language, same formatting)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import dcc, html

from dashboard import i18n


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # i18n key
    show: Callable[[Any, str], str] = lambda value, _lang: "–" if value is None else str(value)


def cells(frame: pd.DataFrame, columns: Sequence[Column], lang: str) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows of `frame`."""
    headers = [i18n.t(c.header, lang) for c in columns]
    values = frame.astype(object).where(frame.notna(), None)
    rows = [[c.show(row[c.field], lang) for c in columns] for row in values.to_dict("records")]
    return headers, rows


def html_table(headers: list[str], rows: list[list[str]], links: Sequence[str | None] = (), link_column: int = 0,
               empty: str = "") -> html.Table | html.Div:
    """A plain table; `links[i]` (if given) makes row i's `link_column` cell a link."""
    if not rows:
        return html.Div(empty, className="wj-hint")
    body = []
    for i, row in enumerate(rows):
        href = links[i] if i < len(links) else None
        body.append(html.Tr([html.Td(dcc.Link(v, href=href) if href and j == link_column else v)
                             for j, v in enumerate(row)]))
    return html.Table(className="wj-table", children=[html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)])


def day(value, _lang: str) -> str:
    return "–" if value is None else f"{value:%Y-%m-%d}"


def label_of(prefix: str) -> Callable[[Any, str], str]:
    """A vocabulary value through the catalogue (`prefix` + value), the value itself when unknown."""
    return lambda value, lang: "–" if value is None else i18n.label(prefix + str(value), lang, str(value))


def specialty(value, lang: str) -> str:
    return i18n.t("all_specialties", lang) if value is None else i18n.specialty_label(value, lang)
