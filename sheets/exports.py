"""Exports: a period's objectives, key results and check-ins (CSV or XLSX), what the
downloading person may see and nothing else; a whole company's data as JSON for its admins.

Rows come in chunks of ``CHUNK`` objectives, five queries a chunk whatever the period's
size, and are written as they come: the CSV and the JSON stream to the client, the XLSX is
written row by row (openpyxl's write-only mode) into a temporary file that is then streamed.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import F
from django.utils import timezone
from openpyxl import Workbook

from checkins.models import CheckIn
from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from objectives.selectors import explore_queryset
from organizations.models import Membership

from .cells import safe_cell, safe_text

# Objectives read at a time, with their key results and check-ins (five queries a chunk): a
# 5,000-person company's quarter (about 2,500 objectives, 9,000 key results and 50,000
# check-ins, some 25 MB of tuples at once) is one chunk; a bigger export holds one chunk in
# memory at a time.
CHUNK = 5000
# A workbook is written cell by cell by openpyxl (65,000 rows took 42 s on a busy 2-core
# machine): beyond this many rows the XLSX would keep a worker busy for too long,
# so a bigger export is the CSV, which streams (docs/performance.md, "Exports and imports").
XLSX_MAX_ROWS = 20_000

COLUMNS = (
    "type",
    "ref",
    "objective_ref",
    "key_result_ref",
    "parent_ref",
    "title",
    "description",
    "period",
    "level",
    "team",
    "owner",
    "owner_name",
    "visibility",
    "status",
    "commitment",
    "progress",
    "kind",
    "unit",
    "currency",
    "start",
    "target",
    "current",
    "weight",
    "confidence",
    "date",
    "value",
    "note",
    "author",
)


def _chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_AT = {name: index for index, name in enumerate(COLUMNS)}


def _row(**cells) -> list:
    """A row in ``COLUMNS`` order; empty cells are ``None`` (nothing written to a workbook).
    Text is made inert (``safe_text``); numbers and dates stay as they are."""
    row = [None] * len(COLUMNS)
    for name, value in cells.items():
        if value is None or value == "":
            continue
        if isinstance(value, str):
            value = safe_text(value)
        elif isinstance(value, datetime):
            value = safe_cell(value)  # the company's wall time, without a zone
        row[_AT[name]] = value
    return row


def period_size(org, viewer, filters: dict) -> int:
    """How many rows ``period_rows`` would write: three counts, nothing loaded."""
    visible = explore_queryset(org, viewer, filters).order_by().values("pk")
    return (
        visible.count()
        + KeyResult.objects.filter(objective_id__in=visible).count()
        + CheckIn.objects.filter(key_result__objective_id__in=visible).count()
    )


def period_rows(org, viewer, filters: dict) -> Iterator[list]:
    """The header, then each objective ``viewer`` may see among ``filters`` (Explore's,
    with a period), each followed by its key results, each followed by its check-ins. A
    parent the viewer may not see is left out (``parent_ref`` empty), as on every page.

    Plain tuples (``values_list``), not model instances: a 5,000-person company's quarter
    is some 60,000 rows, and building objects for them was most of the time."""
    yield list(COLUMNS)
    ids = list(explore_queryset(org, viewer, filters).values_list("pk", flat=True))
    people: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(ids, CHUNK):
        objectives = {
            row[0]: row
            for row in Objective.objects.filter(pk__in=chunk).values_list(
                "pk",
                "parent_id",
                "title",
                "description",
                "period__name",
                "level",
                "team__name",
                "owner_id",
                "visibility",
                "status",
                "commitment",
                "progress",
                "confidence",
            )
        }
        key_results: dict[int, list[tuple]] = {}
        for kr in (
            KeyResult.objects.filter(objective_id__in=chunk)
            .order_by("objective_id", "position", "id")
            .values_list(
                "pk",
                "objective_id",
                "title",
                "owner_id",
                "kind",
                "unit",
                "currency_code",
                "start_value",
                "target_value",
                "current_value",
                "weight",
                "confidence",
                "last_checkin_at",
            )
        ):
            key_results.setdefault(kr[1], []).append(kr)
        checkins: dict[int, list[tuple]] = {}
        for checkin in (
            CheckIn.objects.filter(key_result__objective_id__in=chunk)
            .order_by("key_result_id", "created_at", "id")
            .values_list(
                "pk", "key_result_id", "author_id", "confidence", "created_at", "value", "note"
            )
        ):
            checkins.setdefault(checkin[1], []).append(checkin)
        wanted = (
            {o[7] for o in objectives.values()}
            | {kr[3] for rows in key_results.values() for kr in rows}
            | {c[2] for rows in checkins.values() for c in rows}
        )
        wanted -= set(people) | {None}
        if wanted:  # each person once per export, whatever they own or wrote
            for pk, email, name in Membership.objects.filter(org=org, pk__in=wanted).values_list(
                "pk", "user__email", "user__full_name"
            ):
                people[pk] = (email, name)
        parent_ids = {o[1] for o in objectives.values() if o[1]}
        seen_parents = (
            set(
                visible_objectives(
                    Objective.objects.filter(org=org, pk__in=parent_ids), viewer
                ).values_list("pk", flat=True)
            )
            if parent_ids
            else set()
        )
        for pk in chunk:
            (
                _,
                parent_id,
                title,
                description,
                period,
                level,
                team,
                owner_id,
                visibility,
                status,
                commitment,
                progress,
                confidence,
            ) = objectives[pk]
            email, name = people.get(owner_id, ("", ""))
            yield _row(
                type="objective",
                ref=f"O{pk}",
                parent_ref=f"O{parent_id}" if parent_id in seen_parents else None,
                title=title,
                description=description,
                period=period,
                level=level,
                team=team,
                owner=email,
                owner_name=name,
                visibility=visibility,
                status=status,
                commitment=commitment,
                progress=progress,
                confidence=confidence,
            )
            for kr in key_results.get(pk, ()):
                email, name = people.get(kr[3], ("", ""))
                yield _row(
                    type="key result",
                    ref=f"K{kr[0]}",
                    objective_ref=f"O{pk}",
                    title=kr[2],
                    owner=email,
                    owner_name=name,
                    kind=kr[4],
                    unit=kr[5],
                    currency=kr[6],
                    start=kr[7],
                    target=kr[8],
                    current=kr[9],
                    weight=kr[10],
                    confidence=kr[11],
                    date=kr[12],
                )
                for c in checkins.get(kr[0], ()):
                    yield _row(
                        type="check-in",
                        ref=f"C{c[0]}",
                        objective_ref=f"O{pk}",
                        key_result_ref=f"K{kr[0]}",
                        confidence=c[3],
                        date=c[4],
                        value=c[5],
                        note=c[6],
                        author=people.get(c[2], ("", ""))[1],
                    )


# --- writers -------------------------------------------------------------------------------


class _Line:
    """A file-like that hands back what ``csv.writer`` writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in pieces of about 64 KB, with a byte-order mark so Excel reads UTF-8.
    ``rows`` are inert already (``_row``, ``safe_cell``): the writers only write."""
    writer = csv.writer(_Line())
    buffer, size = ["\ufeff"], 0
    for row in rows:
        line = writer.writerow(
            [v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row]
        )
        buffer.append(line)
        size += len(line)
        if size > 65536:
            yield "".join(buffer)
            buffer, size = [], 0
    yield "".join(buffer)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", " ", title)[:31].strip() or "OKRs"


def xlsx_file(rows: Iterable[list], *, title: str, extra: dict | None = None):
    """An .xlsx workbook of ``rows`` on one sheet (and ``extra``: more sheets by title), in
    a temporary file (deleted when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    for name, content in {title: rows, **(extra or {})}.items():
        sheet = workbook.create_sheet(title=_sheet_title(name))
        for row in content:
            sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(handle)
    handle.seek(0)
    return handle


# --- the whole company as JSON (admins) ----------------------------------------------------

# Rows rebuilt from the others, and uploads waiting to be imported: not the company's data.
LEFT_OUT = {
    "alignment.DashboardSnapshot": "figures computed from the objectives, rebuilt any time",
    "alignment.SimilarObjectives": "look-alike scores computed from the titles",
    "sheets.ImportUpload": "files waiting to be imported (their rows are exported once imported)",
    "history.Change": "the database's record of every change: Admin → Change log exports it (CSV)",
}
# Secrets and the machinery of sending: never in an export, whatever model they are on.
SECRET_FIELD = re.compile(r"token|secret|password|claim|hash|seal|encrypt", re.IGNORECASE)
PEOPLE_FIELDS = {"organizations.Membership": ("user__email", "user__full_name")}


def company_models() -> list:
    """Every model with a company key, but those ``LEFT_OUT``: a new model is exported
    from the day it is added."""
    found = []
    for model in apps.get_models():
        has_company = any(f.name == "org" for f in model._meta.concrete_fields)
        if has_company and model._meta.label not in LEFT_OUT:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _fields(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not SECRET_FIELD.search(f.name) and f.get_internal_type() != "BinaryField"
    ]


def _json_rows(queryset, names: list[str]) -> Iterator[str]:
    """The rows of ``queryset`` as the inside of a JSON array of arrays (``names``' values
    in order), written by PostgreSQL (``json_build_array``) and read through a server-side
    cursor 5,000 at a time: for a 5,000-person company's 400,000 check-ins, 4 s instead of
    26 s of Python building tuples and encoding decimals and times one by one. The query is
    Django's own (``values()``), only wrapped."""
    aliased = queryset.order_by().values(**{f"c{i}": F(name) for i, name in enumerate(names)})
    sql, params = aliased.query.sql_with_params()
    columns = ", ".join(f"t.c{i}" for i in range(len(names)))
    query = f"SELECT json_build_array({columns})::text FROM ({sql}) t ORDER BY t.c0"
    with connection.chunked_cursor() as cursor:
        cursor.execute(query, params)
        first = True
        while rows := cursor.fetchmany(5000):
            yield ("" if first else ",") + ",".join(row[0] for row in rows)
            first = False


def company_json(org) -> Iterator[str]:
    """The company's rows as one JSON object streamed in pieces: for each model its
    ``columns`` and its ``rows`` (arrays in the columns' order, the compact form of a
    table: a 5,000-person company has about half a million rows), by id."""
    from objectives.models import KeyResultUserObjectPermission, ObjectiveUserObjectPermission

    encode = DjangoJSONEncoder().encode
    company = {name: getattr(org, name) for name in _fields(type(org))}
    head = {"format": "aligned-company-export", "version": 2, "exported_at": timezone.now()}
    yield encode(head)[:-1] + ', "company": ' + encode(company)

    def section(label: str, names: list[str], queryset) -> Iterator[str]:
        yield f', "{label}": {{"columns": {json.dumps(names)}, "rows": ['
        yield from _json_rows(queryset, names)
        yield "]}"

    for model in company_models():
        label = model._meta.label
        names = _fields(model) + list(PEOPLE_FIELDS.get(label, ()))
        yield from section(label, names, model._default_manager.filter(org=org))
    # Who a private objective is shared with, co-owners and contributors (django-guardian).
    for model, label in (
        (ObjectiveUserObjectPermission, "sharing.objectives"),
        (KeyResultUserObjectPermission, "sharing.key_results"),
    ):
        names = ["content_object_id", "user__email", "permission__codename"]
        yield from section(label, names, model.objects.filter(content_object__org=org))
    yield "}"
