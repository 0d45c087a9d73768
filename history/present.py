"""History rows as a person reads them: who, when, and each field's before → after in
words: people, teams, periods, themes and objectives by name, choices by their label.

``Names`` resolves every id the rows mention in one query per kind, and only what the
viewer may see: an objective they may not see (a private parent, say) reads "a private
objective", never its title. The service-level audit list (``audit.views``) renders its
entries' changes through the same ``Names``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from .tracking import BY_LABEL

HIDDEN_OBJECTIVE = "a private objective"
HIDDEN_KEY_RESULT = "a key result of a private objective"
EMPTY = "—"
LONG_TEXT = 240

# Columns nobody needs to read: the row's own id, its company, what a grant hangs on.
SKIPPED = {"id", "org_id", "content_object_id"}

# Clearer words than a field's verbose name, where it has one.
LABELS = {
    "parent_id": "Aligned to",
    "parent": "Aligned to",
    "parent_key_result_id": "Contributes to the key result",
    "parent_key_result": "Contributes to the key result",
    "supported_id": "Also supports",
    "supported": "Also supports",
    "user_id": "Person",
    "permission_id": "Right",
    "membership_id": "Person",
    "is_manager": "Manager of the team",
    "is_active": "Active",
    "author_id": "By",
}

# Guardian grants as the sharing page words them.
RIGHTS = {
    "share_objective": "may see it",
    "change_objective": "co-owner",
    "checkin_keyresult": "may check in",
}


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _columns(model) -> dict[str, models.Field]:
    """A model's concrete fields by column (triggers) and by name (service entries)."""
    found = {}
    for f in model._meta.concrete_fields:
        found[f.column] = f
        found.setdefault(f.name, f)
    return found


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Line:
    """One row's change: "Key result “Grow MQLs” changed", and its fields."""

    subject: str
    verb: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    actor_id: int | None
    lines: list[Line]
    cursor: str = ""
    objective_id: int | None = None


class Names:
    """Every id the given changes mention, resolved for ``viewer`` in one query per kind."""

    def __init__(self, viewer, org_id: int):
        self.viewer = viewer
        self.org_id = org_id
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}

    # --- collecting -------------------------------------------------------------------
    def want(self, model, value) -> None:
        if model is not None and value not in (None, ""):
            with contextlib.suppress(TypeError, ValueError):
                self.wanted[model].add(int(value))

    def want_changes(self, model, changes: dict) -> None:
        columns = _columns(model)
        for key, pair in changes.items():
            f = columns.get(key)
            if f is not None and f.many_to_one and isinstance(pair, list | tuple):
                for value in pair:
                    self.want(f.related_model, value)

    # --- resolving --------------------------------------------------------------------
    def resolve(self) -> None:
        from objectives.models import KeyResult, Objective
        from objectives.permissions import visible_objectives
        from organizations.models import Membership, Organization

        User = get_user_model()  # noqa: N806
        for model, ids in self.wanted.items():
            if model is Objective:
                rows = visible_objectives(
                    Objective.objects.filter(org_id=self.org_id, pk__in=ids), self.viewer
                ).values_list("pk", "title")
            elif model is KeyResult:
                seen = visible_objectives(Objective.objects.filter(org_id=self.org_id), self.viewer)
                rows = KeyResult.objects.filter(
                    org_id=self.org_id, pk__in=ids, objective__in=seen
                ).values_list("pk", "title")
            elif model is Membership:
                rows = Membership.objects.filter(org_id=self.org_id, pk__in=ids).values_list(
                    "pk", "user__full_name"
                )
            elif model is User:
                rows = User.objects.filter(pk__in=ids, memberships__org_id=self.org_id).values_list(
                    "pk", "full_name"
                )
            elif model is Permission:
                rows = [
                    (pk, RIGHTS.get(codename, codename))
                    for pk, codename in Permission.objects.filter(pk__in=ids).values_list(
                        "pk", "codename"
                    )
                ]
            elif model is Organization:
                rows = [(self.org_id, "")] if self.org_id in ids else []
            elif any(f.name == "org" for f in model._meta.fields) and any(
                f.name == "name" for f in model._meta.fields
            ):
                rows = model._base_manager.filter(org_id=self.org_id, pk__in=ids).values_list(
                    "pk", "name"
                )
            else:
                rows = []
            self.found[model] = dict(rows)
        self.wanted.clear()

    def name(self, model, value) -> str:
        from objectives.models import KeyResult, Objective

        if value in (None, ""):
            return EMPTY
        try:
            key = int(value)
        except (TypeError, ValueError):
            return str(value)
        known = self.found.get(model, {})
        if key in known:
            return known[key] or EMPTY
        if model is Objective:
            return HIDDEN_OBJECTIVE
        if model is KeyResult:
            return HIDDEN_KEY_RESULT
        return f"(removed, #{key})"

    # --- words --------------------------------------------------------------------------
    def value(self, f: models.Field | None, raw) -> str:
        if raw is None or raw == "":
            return EMPTY
        if f is None:
            return _short(raw if isinstance(raw, str) else json.dumps(raw))
        if f.many_to_one:
            return self.name(f.related_model, raw)
        if f.flatchoices:
            return str(dict(f.flatchoices).get(raw, raw))
        if isinstance(f, models.BooleanField):
            return "yes" if raw else "no"
        if isinstance(f, models.DecimalField):
            try:
                number = Decimal(str(raw))
            except InvalidOperation:
                return str(raw)
            return (
                f"{number.normalize():f}"
                if number == number.to_integral()
                else str(number.normalize())
            )
        if isinstance(f, models.DateTimeField) and isinstance(raw, str):
            moment = parse_datetime(raw)
            return timezone.localtime(moment).strftime("%-d %b %Y %H:%M") if moment else raw
        if isinstance(f, models.DateField) and isinstance(raw, str):
            day = parse_date(raw[:10])
            return day.strftime("%-d %b %Y") if day else raw
        if isinstance(raw, dict | list):
            return _short(json.dumps(raw))
        return _short(str(raw))

    def field_changes(self, model, changes: dict, operation: str = "update") -> list[FieldChange]:
        """Each field's before and after, in the model's field order; a created or deleted
        row lists only the fields it had a value in."""
        columns = _columns(model) if model is not None else {}
        order = {key: i for i, key in enumerate(columns)}
        rows = []
        for key, pair in sorted(changes.items(), key=lambda item: order.get(item[0], 999)):
            if key in SKIPPED:
                continue
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            f = columns.get(key)
            label = LABELS.get(key) or (capfirst(f.verbose_name) if f is not None else key)
            if (
                key in ("parent", "parent_id")
                and model is not None
                and model._meta.label_lower != ("objectives.objective")
            ):
                label = "Parent"  # a team's or a period's parent is not an alignment
            shown = FieldChange(str(label), self.value(f, before), self.value(f, after))
            if (
                operation != "update"
                and (shown.after if operation == "insert" else shown.before) == EMPTY
            ):
                continue
            rows.append(shown)
        return rows


def _short(text: str) -> str:
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"


VERBS = {"insert": "created", "update": "changed", "delete": "deleted"}
GRANT_VERBS = {"insert": "granted", "update": "changed", "delete": "withdrawn"}


def _subject(change, names: Names, model, here: tuple[str, int] | None) -> str:
    """What the row is, in words; on an object's own history tab that object is "This".
    Every row a person is shown belongs to something they may see (its own objective, or
    an admin's whole company), so a deleted row may be named by the title it last had."""
    tracked = BY_LABEL.get(change.model)
    kind = tracked.kind if tracked else change.model
    if here == (change.model, change.object_id):
        return f"This {kind.lower()}"
    if change.model not in NAMED:
        return kind
    title = names.found.get(model, {}).get(change.object_id)
    if title is None:
        pair = change.changes.get("title") or change.changes.get("name")
        title = next((v for v in (pair or []) if v), None)
    if title is None:
        return f"{kind} #{change.object_id}"
    if change.model == "organizations.membership":
        return f"{kind}: {title}"
    return f"{kind} “{title}”"


NAMED = (
    "objectives.objective",
    "objectives.keyresult",
    "organizations.membership",
    "organizations.team",
    "organizations.period",
    "organizations.strategictheme",
)


def _wanted(change, names: Names, model) -> None:
    names.want_changes(model, change.changes)
    if change.model in NAMED:
        names.want(model, change.object_id)


def _who(change) -> str:
    if change.actor_id and change.actor is not None:
        return change.actor.user.get_full_name()
    about = change.context or {}
    if about.get("task"):
        return "Scheduled task"
    if str(about.get("url", "")).startswith("/admin/"):
        return "Site staff (Django admin)"
    if about.get("url"):
        return "Someone not signed in to the company (a sign-up or an invitation)"
    return "Outside the app (a script or the database)"


def _drop_check_in_copies(group: list) -> None:
    """A check-in moves its key result's value and confidence: the check-in says so, the
    key result's own row need not say it again."""
    checked = {c.key_result_id for c in group if c.model == "checkins.checkin"}
    for change in group:
        if change.model == "objectives.keyresult" and change.object_id in checked:
            change.changes = {
                k: v for k, v in change.changes.items() if k not in ("current_value", "confidence")
            }


def entries(changes: list, viewer, *, here=None, grouped=True) -> list[Entry]:
    """``changes`` (newest first, ``actor__user`` loaded) as entries: one per request or
    task when ``grouped`` (an edit that touched the objective and two key results reads as
    one), else one per row. ``here`` is ``(model label, id)`` of the page's own object."""
    if not changes:
        return []
    names = Names(viewer, changes[0].org_id)
    models_of = {c.model: _model(c.model) for c in changes}
    for change in changes:
        _wanted(change, names, models_of[change.model])
    names.resolve()

    groups: list[list] = []
    for change in changes:
        same = (
            grouped
            and groups
            and change.context_id is not None
            and groups[-1][0].context_id == change.context_id
        )
        if same:
            groups[-1].append(change)
        else:
            groups.append([change])
    result = []
    for group in groups:
        _drop_check_in_copies(group)
        lines = []
        for change in reversed(group):  # in the order they were made
            model = models_of[change.model]
            changes = change.changes
            if here is not None:  # the page's own object need not be named on every line
                own = "objective_id" if here[0] == "objectives.objective" else "key_result_id"
                changes = {k: v for k, v in changes.items() if k != own}
            fields = names.field_changes(model, changes, change.operation)
            if change.operation == "update" and not fields:
                continue
            verbs = GRANT_VERBS if "userobjectpermission" in change.model else VERBS
            subject = _subject(change, names, model, here)
            lines.append(Line(subject, verbs[change.operation], fields))
        if not lines:
            continue
        first = group[0]
        result.append(
            Entry(
                when=first.created_at,
                who=_who(first),
                actor_id=first.actor_id,
                lines=lines,
                cursor=cursor_of(group[-1]),
                objective_id=first.objective_id,
            )
        )
    return result


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def cursor_of(change) -> str:
    """Where the next page starts: after this row in (time, id) order (exact microseconds)."""
    return f"{(change.created_at - EPOCH) // MICROSECOND}-{change.pk}"


def parse_cursor(raw: str | None) -> tuple[datetime.datetime, int] | None:
    try:
        micros, pk = (int(part) for part in (raw or "").split("-", 1))
        moment = EPOCH + micros * MICROSECOND
    except (TypeError, ValueError, OverflowError):
        return None
    return (moment, pk) if 0 < pk < 2**63 else None


def audit_changes(entry, names: Names) -> list[FieldChange]:
    """A service-level audit entry's ``changes`` in words (names, not raw ids)."""
    return names.field_changes(_model(entry.target_type), entry.changes or {})


def want_audit(entry, names: Names) -> None:
    model = _model(entry.target_type)
    if model is not None:
        names.want_changes(model, entry.changes or {})
