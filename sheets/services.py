"""Importing objectives and key results from a spreadsheet, all or nothing.

Who imports: admins and managers (``ensure_may_import``). Each row is then created with the
importer's own rights through the same services as the forms (``objectives.services`` for
objectives and key results, ``alignment.services.align_or_request`` for parents), so a
manager imports their teams' and their own objectives, never a company objective, and every
rule (levels, periods, closed periods, no cycles, publish gates, review) and audit record
applies.

The preview is the import itself, run inside a transaction that is rolled back: what it
lists as created and every problem it finds are exactly what the confirmation would do. The
confirmation runs it again on the stored upload and commits only when no row has a problem.

Re-importing: each row has a ``ref``, unique in the company, stored (``ImportReference``)
with what it created. A row whose ref is known, with the same title, is "already imported"
and skipped; with another title it is a problem (the ref is someone else's).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from alignment.services import align_or_request
from audit.services import record
from objectives import services as okr
from objectives.models import KeyResult, Objective
from objectives.permissions import can_view_objective
from objectives.rollups import lock_okr_writes
from organizations.models import Membership, Period, Team

from .models import ImportReference, ImportUpload
from .reading import Sheet, UnreadableFile, read_sheet

UPLOAD_TTL = timedelta(hours=24)
MSG_MAY_NOT_IMPORT = "Only admins and managers import objectives."
MSG_UPLOAD_GONE = "This upload is no longer waiting to be imported: upload the file again."
MSG_CHANGED = "The file changed since its preview: upload it again."

OBJECTIVE = "objective"
KEY_RESULT = "key result"
CHECK_IN = "check-in"
TYPES = {
    "objective": OBJECTIVE,
    "o": OBJECTIVE,
    "key result": KEY_RESULT,
    "key_result": KEY_RESULT,
    "kr": KEY_RESULT,
    "check-in": CHECK_IN,  # an export's check-in rows: history, not imported
}
STATUSES = {"draft": "draft", "": "draft", "published": "published", "active": "published"}
# A service's field name -> the column it came from.
FIELD_COLUMNS = {
    "start_value": "start",
    "target_value": "target",
    "currency_code": "currency",
    "parent": "parent_ref",
    "objective": "objective_ref",
}


def ensure_may_import(actor: Membership) -> None:
    if actor is None or not actor.is_active or not actor.has_role(Membership.Role.MANAGER):
        raise PermissionDenied(MSG_MAY_NOT_IMPORT)


@dataclass
class Problem:
    row: int
    column: str  # "C (title)", or "" for the whole row
    message: str


@dataclass
class Line:
    """A row that creates something (or was imported before), for the preview."""

    row: int
    kind: str
    ref: str
    title: str
    detail: str = ""


@dataclass
class ImportResult:
    created: list[Line] = field(default_factory=list)
    skipped: list[Line] = field(default_factory=list)  # imported before
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    checkins_ignored: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: str) -> int:
        return sum(1 for line in self.created if line.kind == kind)

    @property
    def objectives_created(self) -> int:
        return self.count(OBJECTIVE)

    @property
    def key_results_created(self) -> int:
        return self.count(KEY_RESULT)


@dataclass
class _Row:
    number: int
    data: dict
    kind: str = ""
    problems: list = field(default_factory=list)
    created: object = None  # the objective or key result, once created
    publish: bool = False  # status "published": published once its key results exist


class _Run:
    """One pass over a sheet: check every row, create what it can, collect problems."""

    def __init__(self, org, actor: Membership, sheet: Sheet):
        self.org, self.actor, self.sheet = org, actor, sheet
        self.result = ImportResult(ignored_columns=sheet.ignored_columns)
        self.rows: list[_Row] = []
        self.by_ref: dict[str, _Row] = {}

    # --- problems -------------------------------------------------------------------------

    def problem(self, row: _Row, column: str, message: str) -> None:
        cell = self.sheet.cell_name(column) if column else ""
        row.problems.append(Problem(row.number, cell, message))

    def service_problem(self, row: _Row, error: Exception, column: str) -> None:
        """A service's refusal, beside the column it is about."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = FIELD_COLUMNS.get(name, name)
                target = target if target in self.sheet.columns else column
                for message in ValidationError(errors).messages:
                    self.problem(row, target, message)
        elif isinstance(error, ValidationError):
            for message in error.messages:
                self.problem(row, column, message)
        elif isinstance(error, PermissionDenied):
            self.problem(row, column, str(error) or "You may not do this.")
        else:  # a database refusal the checks above did not foresee
            self.problem(row, column, "This row could not be saved: check its values.")

    # --- look-ups: a few queries for the whole file ---------------------------------------

    def load(self) -> None:
        values = [data for _, data in self.sheet.rows]
        periods: dict[str, list[Period]] = {}
        for period in Period.objects.for_org(self.org):
            periods.setdefault(period.name.strip().casefold(), []).append(period)
        self.periods = periods
        teams: dict[str, list[Team]] = {}
        for team in Team.objects.for_org(self.org):
            teams.setdefault(team.name.strip().casefold(), []).append(team)
        self.teams = teams
        emails = {d.get("owner", "").casefold() for d in values} - {""}
        self.people = {
            m.email_lower: m
            for m in Membership.objects.for_org(self.org)
            .filter(is_active=True)
            .annotate(email_lower=Lower("user__email"))
            .filter(email_lower__in=emails)
            .select_related("user")
        }
        refs = {d.get(c, "") for d in values for c in ("ref", "objective_ref", "parent_ref")}
        self.known = {
            reference.ref: reference
            for reference in ImportReference.objects.for_org(self.org)
            .filter(ref__in=refs - {""})
            .select_related("objective__period", "key_result__objective__period")
        }
        # A ref whose objective the importer may not see names nothing they can use: as
        # parent or objective of a row it is "no objective has this ref", like a missing one.
        self.unseen = {
            ref
            for ref, known in self.known.items()
            if not can_view_objective(self.actor, known.objective or known.key_result.objective)
        }

    # --- parsing --------------------------------------------------------------------------

    def one(self, row: _Row, column: str, table: dict, what: str):
        name = row.data.get(column, "")
        found = table.get(name.strip().casefold(), [])
        if len(found) == 1:
            return found[0]
        if not found:
            self.problem(row, column, f"No {what} is called “{name}”.")
        else:
            self.problem(row, column, f"Several {what}s are called “{name}”: rename one.")
        return None

    def choice(self, row: _Row, column: str, choices, default: str) -> str:
        value = row.data.get(column, "").strip().lower().replace(" ", "_") or default
        values = [v for v, _ in choices]
        if value not in values:
            self.problem(row, column, f"Write one of: {', '.join(values)}.")
            return default
        return value

    def number(self, row: _Row, column: str, default=None):
        text = row.data.get(column, "").replace(" ", "")
        if not text:
            if default is None:
                self.problem(row, column, "Write a number, such as 100 or 12.5.")
            return default
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.problem(row, column, f"“{text}” is not a number, such as 100 or 12.5.")
            return default
        return value

    def person(self, row: _Row, column: str = "owner"):
        email = row.data.get(column, "").strip()
        if not email:
            return None
        person = self.people.get(email.casefold())
        if person is None:
            self.problem(row, column, f"Nobody active in the company has the e-mail {email}.")
        return person

    def check_ref(self, row: _Row) -> bool:
        """Whether the row is new; problems for a missing, repeated or foreign ref."""
        ref = row.data.get("ref", "").strip()
        if not ref:
            self.problem(row, "ref", "Give every row a ref, unique in the file (e.g. O1, K1).")
            return False
        if len(ref) > 64:
            self.problem(row, "ref", "A ref has at most 64 characters.")
            return False
        if ref in self.by_ref:
            self.problem(row, "ref", f"“{ref}” is also the ref of row {self.by_ref[ref].number}.")
            return False
        self.by_ref[ref] = row
        known = self.known.get(ref)
        if known is None:
            return True
        thing = known.objective or known.key_result
        same_kind = (known.objective is not None) == (row.kind == OBJECTIVE)
        title = row.data.get("title", "").strip()
        if ref in self.unseen:
            self.problem(row, "ref", f"“{ref}” is already used in the company: choose another.")
        elif not same_kind or thing.title.strip().casefold() != title.casefold():
            self.problem(
                row, "ref", f"“{ref}” was imported before as “{thing.title}”: choose another ref."
            )
        else:
            row.created = thing
            self.result.skipped.append(Line(row.number, row.kind, ref, thing.title))
        return False

    def parse_objective(self, row: _Row) -> dict:
        d = row.data
        fields = {"title": d.get("title", "").strip(), "description": d.get("description", "")}
        if not fields["title"]:
            self.problem(row, "title", "Give the objective a title.")
        if not d.get("period", "").strip():
            self.problem(row, "period", "Name the period, e.g. “Q1 2027”.")
        else:
            fields["period"] = self.one(row, "period", self.periods, "period")
        level = d.get("level", "").strip().lower()
        if level not in Objective.Level.values:
            self.problem(row, "level", "Write company, team or individual.")
        fields["level"] = level
        if level == Objective.Level.TEAM:
            if not d.get("team", "").strip():
                self.problem(row, "team", "Name the team of a team objective.")
            else:
                fields["team"] = self.one(row, "team", self.teams, "team")
        fields["owner"] = self.person(row)
        fields["visibility"] = self.choice(
            row, "visibility", Objective.Visibility.choices, Objective.Visibility.PUBLIC
        )
        fields["commitment"] = self.choice(
            row, "commitment", Objective.Commitment.choices, Objective.Commitment.COMMITTED
        )
        status = d.get("status", "").strip().lower()
        if status not in STATUSES:
            self.problem(row, "status", "Write draft or published.")
        row.publish = STATUSES.get(status) == "published"
        parent_ref = d.get("parent_ref", "").strip()
        usable = parent_ref in self.known and parent_ref not in self.unseen
        if parent_ref and not usable and parent_ref not in self.objective_refs:
            self.problem(row, "parent_ref", f"No objective has the ref “{parent_ref}”.")
        elif usable and self.known[parent_ref].objective is None:
            self.problem(row, "parent_ref", f"“{parent_ref}” is a key result, not an objective.")
        return fields

    def parse_key_result(self, row: _Row) -> dict:
        d = row.data
        fields = {"title": d.get("title", "").strip()}
        if not fields["title"]:
            self.problem(row, "title", "Give the key result a title.")
        objective_ref = d.get("objective_ref", "").strip()
        known = None if objective_ref in self.unseen else self.known.get(objective_ref)
        if not objective_ref:
            self.problem(row, "objective_ref", "Give the ref of the key result's objective.")
        elif objective_ref not in self.objective_refs and (known is None or not known.objective):
            self.problem(row, "objective_ref", f"No objective has the ref “{objective_ref}”.")
        fields["owner"] = self.person(row)
        kind = self.choice(row, "kind", KeyResult.Kind.choices, KeyResult.Kind.INCREASE)
        fields["kind"] = kind
        fields["unit"] = self.choice(row, "unit", KeyResult.Unit.choices, KeyResult.Unit.NUMBER)
        fields["currency_code"] = d.get("currency", "").strip()
        if kind != KeyResult.Kind.MILESTONE:
            fields["start_value"] = self.number(row, "start", Decimal(0))
            fields["target_value"] = self.number(row, "target")
            fields["current_value"] = fields["start_value"]
        fields["weight"] = self.number(row, "weight", Decimal(1))
        return fields

    # --- the run --------------------------------------------------------------------------

    def run(self) -> ImportResult:
        lock_okr_writes(self.org.pk)  # refs are read and written by one import at a time
        self.load()
        self.objective_refs = {
            data.get("ref", "").strip()
            for _, data in self.sheet.rows
            if TYPES.get(data.get("type", "").strip().lower()) == OBJECTIVE
        }
        parsed: list[tuple[_Row, dict]] = []
        for number, data in self.sheet.rows:
            row = _Row(number, data)
            self.rows.append(row)
            row.kind = TYPES.get(data.get("type", "").strip().lower(), "")
            if row.kind == CHECK_IN:
                self.result.checkins_ignored += 1
                continue
            if not row.kind:
                self.problem(row, "type", "Write objective or key result.")
                continue
            if not self.check_ref(row):
                continue
            fields = (self.parse_objective if row.kind == OBJECTIVE else self.parse_key_result)(row)
            if not row.problems:
                parsed.append((row, fields))
        new_objectives = [(r, f) for r, f in parsed if r.kind == OBJECTIVE]
        for row, fields in new_objectives:
            self.create_objective(row, fields)
        for row, fields in parsed:
            if row.kind == KEY_RESULT:
                self.create_key_result(row, fields)
        for row, _ in new_objectives:
            if row.created is not None and row.data.get("parent_ref", "").strip():
                self.align(row)
        for row, _ in new_objectives:
            if row.created is not None and row.publish:
                self.publish(row)
        for row in self.rows:
            self.result.problems.extend(row.problems)
        return self.result

    def attempt(self, row: _Row, column: str, write):
        """``write()`` in a savepoint: a refused row leaves nothing behind, and the run goes
        on to find the other rows' problems."""
        try:
            with transaction.atomic():
                return write()
        except (ValidationError, PermissionDenied, DatabaseError) as error:
            self.service_problem(row, error, column)
            return None

    def create_objective(self, row: _Row, fields: dict) -> None:
        level = fields.pop("level")
        column = {"company": "level", "team": "team", "individual": "owner"}[level]
        if column not in self.sheet.columns:
            column = "level"

        def write():
            objective = okr.objective_create(org=self.org, actor=self.actor, level=level, **fields)
            ImportReference.objects.create(
                org=self.org,
                ref=row.data["ref"].strip(),
                objective=objective,
                imported_by=self.actor,
            )
            return objective

        row.created = self.attempt(row, column, write)
        if row.created is not None:
            o = row.created
            where = o.team.name if o.team else (o.owner.user.full_name if o.owner else "")
            detail = f"{o.get_level_display()} · {o.period.name}" + (f" · {where}" if where else "")
            line = Line(row.number, OBJECTIVE, row.data["ref"].strip(), o.title, detail)
            self.result.created.append(line)

    def objective_for(self, ref: str):
        source = self.by_ref.get(ref)
        if source is not None and source.kind == OBJECTIVE:
            return source.created  # None when that row has problems (listed there)
        known = self.known.get(ref)
        return known.objective if known is not None else None

    def create_key_result(self, row: _Row, fields: dict) -> None:
        objective = self.objective_for(row.data["objective_ref"].strip())
        if objective is None:
            return  # its objective's row has problems: nothing to add to

        def write():
            kr = okr.key_result_create(objective=objective, actor=self.actor, **fields)
            ImportReference.objects.create(
                org=self.org, ref=row.data["ref"].strip(), key_result=kr, imported_by=self.actor
            )
            return kr

        row.created = self.attempt(row, "objective_ref", write)
        if row.created is not None:
            kr = row.created
            detail = f"of “{objective.title}”"
            if kr.kind != KeyResult.Kind.MILESTONE:
                detail += f" · {kr.start_value.normalize():f} → {kr.target_value.normalize():f}"
            line = Line(row.number, KEY_RESULT, row.data["ref"].strip(), kr.title, detail)
            self.result.created.append(line)

    def align(self, row: _Row) -> None:
        parent = self.objective_for(row.data["parent_ref"].strip())
        if parent is None:
            return

        def write():
            return align_or_request(objective=row.created, parent=parent, actor=self.actor)

        asked = self.attempt(row, "parent_ref", write)
        if not row.problems:
            line = next(x for x in self.result.created if x.row == row.number)
            verb = "asks to align to" if asked else "aligned to"
            line.detail += f" · {verb} “{parent.title}”"

    def publish(self, row: _Row) -> None:
        self.attempt(
            row, "status", lambda: okr.objective_publish(actor=self.actor, objective=row.created)
        )


def import_rows(*, org, actor: Membership, sheet: Sheet, commit: bool) -> ImportResult:
    """Run the import of ``sheet``; keep it only when ``commit`` and no row has a problem."""
    ensure_may_import(actor)
    with transaction.atomic():
        result = _Run(org, actor, sheet).run()
        if commit and result.ok and result.created:
            result.committed = True
        else:
            transaction.set_rollback(True)  # a preview, or a file with problems: nothing kept
    return result


# --- uploads between the preview and the confirmation --------------------------------------


@transaction.atomic
def upload_store(*, org, actor: Membership, filename: str, content: bytes) -> ImportUpload:
    """Keep an uploaded file for its importer; their expired and finished uploads go."""
    ensure_may_import(actor)
    ImportUpload.objects.filter(org=org, membership=actor).filter(
        created_at__lt=timezone.now() - UPLOAD_TTL
    ).delete()
    ImportUpload.objects.filter(org=org, membership=actor, imported_at__isnull=False).delete()
    return ImportUpload.objects.create(
        org=org,
        membership=actor,
        token=secrets.token_urlsafe(32),
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def upload_preview(*, upload: ImportUpload, actor: Membership) -> ImportResult:
    """What importing ``upload`` would do, changing nothing. ``UnreadableFile`` as uploads."""
    sheet = read_sheet(upload.filename, bytes(upload.content))
    return import_rows(org=upload.org, actor=actor, sheet=sheet, commit=False)


def waiting_upload(*, org, actor: Membership, token: str) -> ImportUpload:
    """The importer's own upload named by ``token``, not imported yet and not expired."""
    upload = (
        ImportUpload.objects.for_org(org)
        .filter(membership=actor, token=token, imported_at__isnull=True)
        .filter(created_at__gte=timezone.now() - UPLOAD_TTL)
        .first()
    )
    if upload is None:
        raise ValidationError(MSG_UPLOAD_GONE)
    return upload


@transaction.atomic
def upload_import(*, org, actor: Membership, token: str) -> ImportResult:
    """Import the stored upload for good: every row, or (a problem anywhere) nothing."""
    ensure_may_import(actor)
    upload = waiting_upload(org=org, actor=actor, token=token)
    upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)  # one confirmation
    if upload.imported_at is not None:
        raise ValidationError(MSG_UPLOAD_GONE)
    content = bytes(upload.content)
    if hashlib.sha256(content).hexdigest() != upload.sha256:
        raise ValidationError(MSG_CHANGED)
    try:
        sheet = read_sheet(upload.filename, content)
    except UnreadableFile as error:
        raise ValidationError(str(error)) from None
    result = import_rows(org=org, actor=actor, sheet=sheet, commit=True)
    if result.committed:
        upload.imported_at = timezone.now()
        upload.save(update_fields=["imported_at"])
        changes = {
            "objectives": [None, result.count(OBJECTIVE)],
            "key_results": [None, result.count(KEY_RESULT)],
            "skipped": [None, len(result.skipped)],
        }
        record(actor, "sheets.import", upload, changes)
    return result
