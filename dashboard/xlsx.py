"""One way to write a table as XLSX: bold headers in the reader's language, frozen header row and first
column, widths fitted to the headers (CJK characters count double). Used by every export; a report of
several tables (the import's summary and problems) is one workbook of several such sheets."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import openpyxl
from openpyxl.styles import Font


Sheet = tuple[str, Sequence[str], Iterable[Sequence]]  # title, headers, rows


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return sheets_bytes([(title, headers, rows)])


def sheets_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet((title or "sheet")[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, row in enumerate(rows, start=2):
            sheet.append(list(row))
            for column, value in enumerate(row, start=1):
                if isinstance(value, str) and value.startswith("="):  # from a file or a person: text, never a formula
                    sheet.cell(row=index, column=column).data_type = "s"
        sheet.freeze_panes = "B2"
        for column, header in zip(sheet.columns, headers):
            sheet.column_dimensions[column[0].column_letter].width = max(10, min(40, 2 * len(header) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
