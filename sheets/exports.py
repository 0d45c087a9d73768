"""Exports: a period's objectives, key results and check-ins (CSV or XLSX), what the
downloading person may see and nothing else; a whole company's data as JSON for its admins.

Rows come in chunks of ``CHUNK`` objectives, four queries a chunk whatever the period's
size, and are written as they come: the CSV and the JSON stream to the client, the XLSX is
written row by row (openpyxl's write-only mode) into a temporary file that is then streamed.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from openpyxl import Workbook

from checkins.models import CheckIn
from objectives.models import KeyResult, Objective
from objectives.permissions import visible_objectives
from objectives.selectors import explore_queryset

from .cells import safe_cell

CHUNK = 500

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


def _person(membership) -> tuple[str, str]:
    if membership is None:
        return "", ""
    return membership.user.email, membership.user.full_name


def _row(**cells) -> list:
    return [safe_cell(cells.get(name)) for name in COLUMNS]


def period_rows(org, viewer, filters: dict) -> Iterator[list]:
    """The header, then each objective ``viewer`` may see among ``filters`` (Explore's,
    with a period), each followed by its key results, each followed by its check-ins. A
    parent the viewer may not see is left out (``parent_ref`` empty), as on every page."""
    yield list(COLUMNS)
    ids = list(explore_queryset(org, viewer, filters).values_list("pk", flat=True))
    for chunk in _chunks(ids, CHUNK):
        objectives = Objective.objects.filter(pk__in=chunk).select_related(
            "period", "team", "owner__user"
        )
        by_id = {o.pk: o for o in objectives}
        parent_ids = {o.parent_id for o in by_id.values() if o.parent_id}
        seen_parents = (
            set(
                visible_objectives(
                    Objective.objects.filter(org=org, pk__in=parent_ids), viewer
                ).values_list("pk", flat=True)
            )
            if parent_ids
            else set()
        )
        key_results: dict[int, list[KeyResult]] = {}
        for kr in KeyResult.objects.filter(objective_id__in=chunk).select_related("owner__user"):
            key_results.setdefault(kr.objective_id, []).append(kr)
        checkins: dict[int, list[CheckIn]] = {}
        for checkin in (
            CheckIn.objects.filter(key_result__objective_id__in=chunk)
            .select_related("author__user")
            .order_by("key_result_id", "created_at", "id")
        ):
            checkins.setdefault(checkin.key_result_id, []).append(checkin)
        for pk in chunk:
            objective = by_id[pk]
            email, name = _person(objective.owner)
            yield _row(
                type="objective",
                ref=f"O{objective.pk}",
                parent_ref=f"O{objective.parent_id}" if objective.parent_id in seen_parents else "",
                title=objective.title,
                description=objective.description,
                period=objective.period.name,
                level=objective.level,
                team=objective.team.name if objective.team else "",
                owner=email,
                owner_name=name,
                visibility=objective.visibility,
                status=objective.status,
                commitment=objective.commitment,
                progress=objective.progress,
                confidence=objective.confidence,
            )
            for kr in key_results.get(pk, []):
                email, name = _person(kr.owner)
                yield _row(
                    type="key result",
                    ref=f"K{kr.pk}",
                    objective_ref=f"O{pk}",
                    title=kr.title,
                    owner=email,
                    owner_name=name,
                    kind=kr.kind,
                    unit=kr.unit,
                    currency=kr.currency_code,
                    start=kr.start_value,
                    target=kr.target_value,
                    current=kr.current_value,
                    weight=kr.weight,
                    confidence=kr.confidence,
                    date=kr.last_checkin_at,
                )
                for checkin in checkins.get(kr.pk, []):
                    yield _row(
                        type="check-in",
                        ref=f"C{checkin.pk}",
                        objective_ref=f"O{pk}",
                        key_result_ref=f"K{kr.pk}",
                        confidence=checkin.confidence,
                        date=checkin.created_at,
                        value=checkin.value,
                        note=checkin.note,
                        author=_person(checkin.author)[1],
                    )


# --- writers -------------------------------------------------------------------------------


class _Line:
    """A file-like that hands back what ``csv.writer`` writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """CSV text in pieces of about 64 KB, with a byte-order mark so Excel reads UTF-8."""
    writer = csv.writer(_Line())
    buffer, size = ["\ufeff"], 0
    for row in rows:
        line = writer.writerow([_csv_cell(safe_cell(v)) for v in row])
        buffer.append(line)
        size += len(line)
        if size > 65536:
            yield "".join(buffer)
            buffer, size = [], 0
    yield "".join(buffer)


def _csv_cell(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return value


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", " ", title)[:31].strip() or "OKRs"


def xlsx_file(rows: Iterable[list], *, title: str, extra: dict | None = None):
    """An .xlsx workbook of ``rows`` on one sheet (and ``extra``: more sheets by title), in
    a temporary file (deleted when closed), positioned at its start."""
    workbook = Workbook(write_only=True)
    for name, content in {title: rows, **(extra or {})}.items():
        sheet = workbook.create_sheet(title=_sheet_title(name))
        for row in content:
            sheet.append([safe_cell(value) for value in row])
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


def company_json(org) -> Iterator[str]:
    """The company's rows, model by model, as one JSON object streamed in pieces."""
    from objectives.models import KeyResultUserObjectPermission, ObjectiveUserObjectPermission

    encode = DjangoJSONEncoder().encode
    company = {name: getattr(org, name) for name in _fields(type(org))}
    head = {"format": "aligned-company-export", "version": 1, "exported_at": timezone.now()}
    yield encode(head)[:-1] + ', "company": ' + encode(company)

    def section(label: str, names: list[str], rows) -> Iterator[str]:
        buffer = [f', "{label}": [']
        size = 0
        for index, values in enumerate(rows):
            text = ("," if index else "") + encode(dict(zip(names, values, strict=True)))
            buffer.append(text)
            size += len(text)
            if size > 65536:
                yield "".join(buffer)
                buffer, size = [], 0
        buffer.append("]")
        yield "".join(buffer)

    for model in company_models():
        label = model._meta.label
        names = _fields(model) + list(PEOPLE_FIELDS.get(label, ()))
        rows = (
            model._default_manager.filter(org=org)
            .order_by("pk")
            .values_list(*names)
            .iterator(chunk_size=2000)
        )
        yield from section(label, names, rows)
    # Who a private objective is shared with, co-owners and contributors (django-guardian).
    for model, label in (
        (ObjectiveUserObjectPermission, "sharing.objectives"),
        (KeyResultUserObjectPermission, "sharing.key_results"),
    ):
        names = ["content_object_id", "user__email", "permission__codename"]
        rows = (
            model.objects.filter(content_object__org=org)
            .order_by("pk")
            .values_list(*names)
            .iterator(chunk_size=2000)
        )
        yield from section(label, names, rows)
    yield "}"
