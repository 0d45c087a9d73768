"""What goes into an exported cell: text a spreadsheet would run as a formula is escaped,
and characters a workbook cannot hold are dropped."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (tab and carriage return too: some of them strip those first). OWASP's "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` as inert text: a leading apostrophe keeps a spreadsheet from running it."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def safe_cell(value):
    """An exported cell: numbers and dates stay what they are (a negative start value is a
    number, not a formula); everything else is inert text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # In the company's zone (the request activated it); workbooks hold no zone.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return safe_text(str(value))
