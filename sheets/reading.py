"""Reading an uploaded spreadsheet into rows of text: CSV with Python's ``csv`` module, XLSX
with openpyxl (read-only, values only; defusedxml guards its XML). Every way a file can be
unreadable ends as ``UnreadableFile`` with a sentence for the person, never an exception
page: wrong type, garbage bytes, too big, too many rows, not UTF-8, missing columns."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_BYTES = 2 * 1024 * 1024  # a few thousand rows; the body limit (10 MB) is far above
# Data rows, header aside. An import is one transaction holding the company's OKR write lock
# (check-ins wait for it), and each row costs what its service costs: about 25 queries, some
# 20 ms a row on a quiet machine with a 5,000-person company (docs/performance.md).
MAX_ROWS = 500
MAX_CELL = 5000  # characters (an objective's description at most)
XLSX_MAGIC = b"PK\x03\x04"

# The columns of the template, in its order. Only the first three are needed in every file;
# the others may be left out when no row needs them.
COLUMNS = (
    "ref",
    "type",
    "title",
    "objective_ref",
    "description",
    "period",
    "level",
    "team",
    "owner",
    "parent_ref",
    "visibility",
    "commitment",
    "status",
    "kind",
    "unit",
    "currency",
    "start",
    "target",
    "weight",
)
REQUIRED_COLUMNS = ("ref", "type", "title")


class UnreadableFile(Exception):
    """The file as a whole cannot be imported; ``str()`` says why, for the person."""


@dataclass
class Sheet:
    """The rows of a file, each a dict of the known columns' text (``""`` when empty), with
    its row number in the spreadsheet (the header is row 1)."""

    columns: list[str]  # as found, normalised, in the file's order
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def cell_name(self, column: str) -> str:
        """ "C (title)": the column's letter in this file and its name."""
        if column in self.columns:
            return f"{get_column_letter(self.columns.index(column) + 1)} ({column})"
        return column


def _normalise_header(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_").replace("-", "_")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _table(name: str, raw_rows) -> Sheet:
    """Header and rows (iterables of cell values) into a ``Sheet``; stops reading past
    ``MAX_ROWS`` so a huge file costs no more than a refusal."""
    raw_rows = iter(raw_rows)
    header = next(raw_rows, None)
    while header is not None and not any(_text(v) for v in header):
        header = next(raw_rows, None)  # blank lines above the header
    if header is None:
        raise UnreadableFile(f"“{name}” is empty: start from the template.")
    columns = [_normalise_header(v) for v in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UnreadableFile(
            f"“{name}” has no column {', '.join(missing)} in its first row. The first row "
            f"names the columns, as in the template: {', '.join(COLUMNS)}."
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise UnreadableFile(f"“{name}” has the column {', '.join(duplicated)} twice.")
    sheet = Sheet(columns=columns)
    sheet.ignored_columns = [c for c in columns if c and c not in COLUMNS]
    known = [(i, c) for i, c in enumerate(columns) if c in COLUMNS]
    for number, values in enumerate(raw_rows, start=2):
        values = list(values)
        row = {c: _text(values[i]) if i < len(values) else "" for i, c in known}
        if not any(row.values()):
            continue  # blank lines are not rows
        if len(sheet.rows) >= MAX_ROWS:
            raise UnreadableFile(
                f"“{name}” has more than {MAX_ROWS} rows: split it into several files."
            )
        too_long = next((c for c, v in row.items() if len(v) > MAX_CELL), None)
        if too_long:
            raise UnreadableFile(
                f"Row {number}, column {sheet.cell_name(too_long)}: more than {MAX_CELL} "
                "characters."
            )
        sheet.rows.append((number, row))
    return sheet


def _read_csv(name: str, content: bytes) -> Sheet:
    if b"\x00" in content:
        raise UnreadableFile(f"“{name}” is not a text file: upload a .csv or an .xlsx file.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise UnreadableFile(
            f"“{name}” is not UTF-8 text (line {line}). In Excel, save it as “CSV UTF-8”, "
            "or upload the .xlsx file itself."
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","  # one column, or nothing to tell: the usual comma
    try:
        return _table(name, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(f"“{name}” is not a readable CSV file ({error}).") from None


def _read_xlsx(name: str, content: bytes) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a broken workbook fails in many ways inside openpyxl
        raise UnreadableFile(
            f"“{name}” is not a readable .xlsx workbook: save it again from your spreadsheet "
            "program, or start from the template."
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile(f"“{name}” has no sheet.")
        return _table(name, workbook.worksheets[0].iter_rows(values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise UnreadableFile(f"“{name}” is not a readable .xlsx workbook.") from None
    finally:
        workbook.close()


def read_sheet(name: str, content: bytes) -> Sheet:
    """The rows of an uploaded file, or ``UnreadableFile``. The type is told by the name
    and checked against the bytes: an .xlsx is a zip archive, a .csv is not."""
    lowered = name.lower()
    if len(content) > MAX_BYTES:
        raise UnreadableFile(
            f"“{name}” is {len(content) // 1024} KB: the limit is {MAX_BYTES // (1024 * 1024)} "
            "MB. Split it into several files."
        )
    if not content:
        raise UnreadableFile(f"“{name}” is empty: start from the template.")
    if lowered.endswith(".xlsx"):
        if not content.startswith(XLSX_MAGIC):
            raise UnreadableFile(f"“{name}” is not an .xlsx workbook, whatever its name says.")
        return _read_xlsx(name, content)
    if lowered.endswith(".csv"):
        if content.startswith(XLSX_MAGIC):
            raise UnreadableFile(f"“{name}” is a workbook, not a CSV file: name it .xlsx.")
        return _read_csv(name, content)
    raise UnreadableFile(f"“{name}” is neither a .csv nor an .xlsx file.")
