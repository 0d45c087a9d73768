"""Cursor pagination: each page is "the next ``limit`` rows after this id", in id order.

An id never changes and new rows get higher ids, so rows inserted while a client walks the
pages show up at the end, never twice and never pushing another row past a page boundary
(an offset would). The cursor is opaque to clients: the last id of the page, encoded.
"""

import base64
import binascii

from .errors import field_error

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MSG_BAD_CURSOR = "Not a cursor this API gave: pass next_cursor from the previous page."


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"id:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "id" or not value.isdigit():
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise field_error("cursor", MSG_BAD_CURSOR) from exc


def paginate(queryset, *, cursor: str | None, limit: int) -> dict:
    """``{"items": [...up to limit rows], "next_cursor": str | None}`` after ``cursor``."""
    if cursor:
        queryset = queryset.filter(pk__gt=decode_cursor(cursor))
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more else None}
