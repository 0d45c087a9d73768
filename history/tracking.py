"""What the history records, and the one trigger that records it.

Each tracked table gets an ``AFTER INSERT OR UPDATE OR DELETE`` row trigger (django-pgtrigger)
that writes one ``history.Change`` row: the columns that changed, before and after, read from
the row as JSON (``to_jsonb``). Every column is recorded unless listed in ``exclude`` (stored
roll-ups and bookkeeping that change on every check-in), so a column another app adds later
is tracked without touching this file or any migration. A change to excluded columns only
writes nothing.

The trigger reads who acts from ``pghistory.context`` (``history.context`` opens one per
write request and per Celery task): a raw ``UPDATE`` in a shell or a data migration is
recorded too, without a person.

``PGTRIGGER_MIGRATIONS = False``: the triggers are (re)installed after every ``migrate``
(``PGTRIGGER_INSTALL_ON_MIGRATE``), never written into the tracked apps' migrations, so
tracking a table never touches another app's migration history. On SQLite nothing is
installed and nothing is recorded (``recording()``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pgtrigger
from django.apps import apps
from django.db import connection

TRIGGER_NAME = "aligned_history"

# Bookkeeping every table may carry: the change row has its own time.
NOISE = ("created_at", "updated_at", "version")


@dataclass(frozen=True)
class Tracked:
    """How one table's rows are attributed. Each ``*_sql`` is a PL/pgSQL expression over
    ``r`` (the row as ``jsonb``: the new row, or the old one of a delete); ``lookup`` a
    statement run first when the row does not carry them itself (a guardian grant)."""

    label: str
    kind: str  # how a person reads it: "Objective", "Key result", ...
    org_sql: str = "(r->>'org_id')::bigint"
    objective_sql: str = "NULL"
    key_result_sql: str = "NULL"
    lookup: str = ""
    exclude: tuple[str, ...] = ()
    operations: tuple[str, ...] = ("insert", "update", "delete")


def _grant(target: str) -> dict:
    """A guardian grant names its objective or KR; the company comes from that row."""
    if target == "objective":
        return {
            "lookup": "SELECT o.org_id INTO org FROM objectives_objective o "
            "WHERE o.id = (r->>'content_object_id')::bigint;",
            "org_sql": "org",
            "objective_sql": "(r->>'content_object_id')::bigint",
        }
    return {
        "lookup": "SELECT k.org_id, k.objective_id INTO org, objective FROM objectives_keyresult k "
        "WHERE k.id = (r->>'content_object_id')::bigint;",
        "org_sql": "org",
        "objective_sql": "objective",
        "key_result_sql": "(r->>'content_object_id')::bigint",
    }


TRACKED: tuple[Tracked, ...] = (
    Tracked(
        "objectives.Objective",
        "Objective",
        objective_sql="(r->>'id')::bigint",
        # Roll-ups, kept by objectives.rollups after every check-in: their inputs are recorded.
        exclude=("progress", "aligned_progress", "confidence"),
    ),
    Tracked(
        "objectives.KeyResult",
        "Key result",
        objective_sql="(r->>'objective_id')::bigint",
        key_result_sql="(r->>'id')::bigint",
        # Copies of the latest check-in (recorded itself) and the order on the page.
        exclude=("last_checkin_at", "last_checkin_note", "position"),
    ),
    Tracked("checkins.CheckIn", "Check-in", key_result_sql="(r->>'key_result_id')::bigint"),
    # "Also supports": an objective's secondary links (alignment/); tracked from the day
    # the model exists.
    Tracked(
        "alignment.AlsoSupports",
        "Also supports",
        objective_sql="(r->>'objective_id')::bigint",
    ),
    Tracked(
        "objectives.ObjectiveUserObjectPermission", "Sharing of an objective", **_grant("objective")
    ),
    Tracked("objectives.KeyResultUserObjectPermission", "Sharing of a key result", **_grant("kr")),
    Tracked("organizations.Membership", "Person"),
    Tracked("organizations.TeamMembership", "Team member"),
    Tracked("organizations.Team", "Team"),
    Tracked("organizations.Period", "Period"),
    Tracked("organizations.StrategicTheme", "Theme"),
    Tracked(
        "organizations.Organization",
        "Company settings",
        org_sql="(r->>'id')::bigint",
        # data_version moves on every write in the company (caches); a company's deletion
        # is logged by organizations.services and its history goes with it.
        exclude=("data_version", "getting_started_hidden_at"),
        operations=("insert", "update"),
    ),
    Tracked(
        "checkins.ReminderSchedule",
        "Reminder schedule",
        exclude=("last_dispatched_occurrence",),
    ),
    # Alignment asked for (and answered), before any link exists.
    Tracked(
        "alignment.AlignmentRequest",
        "Alignment request",
        objective_sql="(r->>'child_id')::bigint",
    ),
    # Company settings kept in their own tables; their secrets never reach the history
    # (SECRET_COLUMN: the sealed client secret and webhook URL).
    Tracked(
        "sso.SingleSignOn",
        "Single sign-on settings",
        exclude=("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"),
    ),
    Tracked("slack.TeamSlackHook", "Slack channel of a team"),
)

BY_LABEL = {t.label.lower(): t for t in TRACKED}


def recording() -> bool:
    """History is recorded by PostgreSQL triggers: on SQLite (``make run``'s default) it is
    not, and the pages say so."""
    return connection.vendor == "postgresql"


# Never copied into the history, whatever table they are added to: a secret (sealed or not)
# would otherwise outlive its rotation in every row that recorded it.
SECRET_COLUMN = re.compile(r"token|secret|password|seal|encrypt|hash", re.IGNORECASE)


def excluded_columns(model, tracked: Tracked) -> tuple[str, ...]:
    secrets = tuple(f.column for f in model._meta.concrete_fields if SECRET_COLUMN.search(f.column))
    return NOISE + tracked.exclude + secrets


def _text_array(names) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]::text[]"


class RecordChange(pgtrigger.Trigger):
    """The history trigger of one tracked table (see the module's docstring)."""

    when = pgtrigger.After
    declare = [
        ("r", "jsonb"),
        ("before", "jsonb"),
        ("after", "jsonb"),
        ("diff", "jsonb"),
        ("meta", "jsonb"),
        ("org", "bigint"),
        ("objective", "bigint"),
    ]

    def __init__(self, tracked: Tracked):
        self.tracked = tracked
        operation = None
        for name in tracked.operations:
            one = {
                "insert": pgtrigger.Insert,
                "update": pgtrigger.Update,
                "delete": pgtrigger.Delete,
            }[name]
            operation = one if operation is None else operation | one
        super().__init__(name=TRIGGER_NAME, operation=operation)

    def get_func(self, model) -> str:
        t = self.tracked
        excluded = _text_array(excluded_columns(model, t))
        return f"""
            IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
            IF TG_OP = 'UPDATE' THEN
                before := to_jsonb(OLD) - {excluded};
                after := r - {excluded};
                SELECT jsonb_object_agg(n.key, jsonb_build_array(before -> n.key, n.value))
                  INTO diff FROM jsonb_each(after) n
                 WHERE n.value IS DISTINCT FROM before -> n.key;
                IF diff IS NULL THEN RETURN NULL; END IF;
            ELSIF TG_OP = 'INSERT' THEN
                SELECT jsonb_object_agg(n.key, jsonb_build_array(NULL, n.value))
                  INTO diff FROM jsonb_each(r - {excluded}) n WHERE n.value <> 'null'::jsonb;
            ELSE
                SELECT jsonb_object_agg(n.key, jsonb_build_array(n.value, NULL))
                  INTO diff FROM jsonb_each(r - {excluded}) n WHERE n.value <> 'null'::jsonb;
            END IF;
            {t.lookup}
            org := {t.org_sql};
            IF org IS NULL THEN RETURN NULL; END IF;
            meta := NULLIF(current_setting('pghistory.context_metadata', TRUE), '')::jsonb;
            INSERT INTO history_change (
                org_id, model, object_id, objective_id, key_result_id, operation, changes,
                actor_id, context_id, context, created_at
            ) VALUES (
                org, '{t.label.lower()}', (r->>'id')::bigint, {t.objective_sql},
                {t.key_result_sql}, lower(TG_OP), COALESCE(diff, '{{}}'::jsonb),
                (meta->>'membership')::bigint,
                NULLIF(current_setting('pghistory.context_id', TRUE), '')::uuid,
                meta - 'membership', now()
            );
            RETURN NULL;
        """


def register_triggers() -> None:
    for tracked in TRACKED:
        try:
            model = apps.get_model(tracked.label)
        except LookupError:  # a table another app has not added yet
            continue
        pgtrigger.register(RecordChange(tracked))(model)
