"""The database-level history: PostgreSQL's triggers record every change to the tracked
tables, through the app or not, and the objective's and key result's History and the
admins' change log read it in words."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from checkins import services as checkin_services
from history.models import Change
from objectives import services as objective_services
from objectives.models import Objective
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"history:{name}", kwargs={"org_slug": "acme", **kwargs})


def objective_url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme", **kwargs})


def _edit(client, objective, **changes):
    """Post the objective's own edit form with ``changes``, as a person would."""
    form = client.get(objective_url("objective-edit", objective_id=objective.pk)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"kr-TOTAL_FORMS": "0", "kr-INITIAL_FORMS": "0"}, **changes)
    response = client.post(objective_url("objective-edit", objective_id=objective.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    return response


def test_a_raw_sql_update_is_recorded_without_a_person(org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Old")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE objectives_objective SET title = %s WHERE id = %s", ["Sneaky", objective.pk]
        )
    change = Change.objects.filter(model="objectives.objective", operation="update").get()
    assert change.changes == {"title": ["Old", "Sneaky"]}
    assert change.objective_id == objective.pk and change.org_id == org.pk
    assert change.actor_id is None and change.context is None


def test_a_queryset_update_and_a_delete_are_recorded(org, period, member_membership):
    kr = KeyResultFactory(objective__org=org, objective__period=period, title="Leads")
    type(kr).objects.filter(pk=kr.pk).update(target_value=Decimal(250))
    update = Change.objects.get(model="objectives.keyresult", operation="update")
    assert update.changes == {"target_value": [100.0, 250.0]}
    assert update.key_result_id == kr.pk and update.objective_id == kr.objective_id
    kr.delete()
    deleted = Change.objects.get(model="objectives.keyresult", operation="delete")
    assert deleted.changes["title"] == ["Leads", None]


def test_roll_ups_alone_write_nothing(org, period, member_membership):
    kr = KeyResultFactory(objective__org=org, objective__period=period, owner=member_membership)
    Change.objects.all().delete()
    checkin_services.checkin_submit(
        kr=kr, author=member_membership, value=Decimal(40), confidence="at_risk"
    )
    kinds = sorted(Change.objects.values_list("model", flat=True))
    # The check-in and its key result's new value; the objective's stored progress and
    # confidence (roll-ups) are not history.
    assert kinds == ["checkins.checkin", "objectives.keyresult"]
    moved = Change.objects.get(model="objectives.keyresult").changes
    assert moved["current_value"] == [0.0, 40.0] and moved["confidence"][1] == "at_risk"


def test_an_edit_through_the_app_names_its_person(member, member_membership, org, period):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Old")
    _edit(member, objective, title="Grow APAC brand", commitment="aspirational")
    change = Change.objects.get(model="objectives.objective", operation="update")
    assert change.actor_id == member_membership.pk
    assert change.context["url"].endswith(f"/objectives/{objective.pk}/edit/")
    assert change.changes["title"] == ["Old", "Grow APAC brand"]
    assert change.changes["commitment"] == ["committed", "aspirational"]


def test_the_history_tab_reads_the_edit_in_words(member, member_membership, org, period):
    colleague = MembershipFactory(org=org, user__full_name="Sam Sales")
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Old")
    _edit(member, objective, title="Grow APAC brand")
    Objective.objects.filter(pk=objective.pk).update(owner=colleague)  # a shell, say
    page = member.get(url("objective", objective_id=objective.pk), **HX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mia Member" in html
    assert '<del class="history-before">Old</del>' in html
    assert '<ins class="history-after">Grow APAC brand</ins>' in html
    # The owner by name, and the shell's change without a person.
    assert '<del class="history-before">Mia Member</del>' in html
    assert '<ins class="history-after">Sam Sales</ins>' in html
    assert "Outside the app (a script or the database)" in html
    # Without JavaScript: a page of its own, linked from the objective's page.
    full = member.get(url("objective", objective_id=objective.pk)).content.decode()
    assert "History of" in full and "Grow APAC brand" in full
    detail = member.get(objective_url("objective", objective_id=objective.pk)).content.decode()
    assert f'hx-get="{url("objective", objective_id=objective.pk)}"' in detail


def test_a_private_parent_is_named_only_to_those_who_may_see_it(
    member, admin, member_membership, org, period
):
    boss = MembershipFactory(org=org, user__full_name="Bo Boss")
    secret = ObjectiveFactory(
        org=org,
        period=period,
        owner=boss,
        level="company",
        title="Secret merger",
        visibility=Objective.Visibility.PRIVATE,
        owner_id=None,
    )
    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Mine")
    # An admin aligns Mia's objective to the private company objective (a raw update: the
    # rules of the service are not the point here).
    Objective.objects.filter(pk=mine.pk).update(parent=secret)
    html = member.get(url("objective", objective_id=mine.pk), **HX).content.decode()
    assert "Secret merger" not in html
    assert "a private objective" in html
    admin_html = admin.get(url("objective", objective_id=mine.pk), **HX).content.decode()
    assert "Secret merger" in admin_html


def test_history_of_what_you_may_not_see_is_404(member, org, period):
    secret = ObjectiveFactory(org=org, period=period, visibility=Objective.Visibility.PRIVATE)
    kr = KeyResultFactory(objective=secret)
    assert member.get(url("objective", objective_id=secret.pk)).status_code == 404
    assert member.get(url("kr", kr_id=kr.pk)).status_code == 404


def test_key_result_history_shows_its_check_ins(member, member_membership, org, period):
    kr = KeyResultFactory(
        objective__org=org, objective__period=period, owner=member_membership, title="Followers"
    )
    member.post(
        reverse("checkins:create", kwargs={"org_slug": "acme", "kr_id": kr.pk}),
        {"value": "40", "confidence": "at_risk", "note": "=cmd|' /C calc'!A0"},
    )
    html = member.get(url("kr", kr_id=kr.pk), **HX).content.decode()
    assert "Check-in" in html and "created" in html
    assert "Mia Member" in html
    assert "At risk" in html or "at risk" in html.lower()


def test_sharing_is_recorded_and_shown(admin, admin_membership, member_membership, org, period):
    objective = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility=Objective.Visibility.PRIVATE
    )
    objective_services.objective_share(
        objective=objective, actor=admin_membership, membership=member_membership
    )
    grant = Change.objects.get(model="objectives.objectiveuserobjectpermission")
    assert grant.objective_id == objective.pk and grant.operation == "insert"
    html = admin.get(url("objective", objective_id=objective.pk), **HX).content.decode()
    assert "Sharing of an objective" in html and "granted" in html and "Mia Member" in html


# --- the admins' change log -----------------------------------------------------------------


def _log(client, **params):
    return client.get(url("log"), params)


def test_only_admins_read_the_change_log(member, manager):
    assert member.get(url("log")).status_code == 403
    assert manager.get(url("log-csv")).status_code == 403


def test_the_log_filters_by_person_kind_objective_and_date(
    admin, member, member_membership, manager_membership, org, period
):
    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Mine")
    theirs = ObjectiveFactory(org=org, period=period, owner=manager_membership, title="Theirs")
    _edit(member, mine, title="Mine, better")
    by_person = _log(admin, person=member_membership.pk).context["entries"]
    assert by_person and {e.actor_id for e in by_person} == {member_membership.pk}
    by_name = _log(admin, who="mia").context["entries"]
    assert {e.actor_id for e in by_name} == {member_membership.pk}
    by_objective = _log(admin, objective=theirs.pk).context["entries"]
    assert by_objective and all("Theirs" in e.lines[0].subject for e in by_objective)
    by_kind = _log(admin, kind="objectives.objective").context["entries"]
    assert len(by_kind) == 3  # two created, one edited
    today = datetime.date.today()
    assert len(_log(admin, since=today - datetime.timedelta(days=1)).context["entries"]) > 3
    assert _log(admin, until=today - datetime.timedelta(days=2)).context["entries"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "2026-12-05", "until": "2026-12-01"},
        {"until": "9999-12-31"},
        {"objective": "abc"},
        {"kind": "auth.user"},
    ],
)
def test_bad_filters_say_so_beside_the_field(admin, org, params):
    response = _log(admin, **params)
    assert response.status_code == 200
    assert 'class="field-errors"' in response.content.decode()
    # What was typed stays in the field.
    for value in params.values():
        assert f'value="{value}"' in response.content.decode() or "<option" in (
            response.content.decode()
        )


def test_the_log_pages_by_cursor(admin, org, period, member_membership):
    for i in range(60):
        ObjectiveFactory(org=org, period=period, owner=member_membership, title=f"O{i}")
    first = _log(admin, kind="objectives.objective")
    assert len(first.context["entries"]) == 50 and first.context["older"]
    second = admin.get(url("log") + first.context["older"])
    titles = [e.lines[0].subject for e in second.context["entries"]]
    assert len(titles) == 10 and titles[-1] == "Objective “O0”"
    assert not second.context["older"]


def test_the_export_is_a_spreadsheet_that_runs_no_formula(admin, member_membership, org, period):
    ObjectiveFactory(org=org, period=period, owner=member_membership, title="=HYPERLINK(1)")
    response = admin.get(url("log-csv"), {"kind": "objectives.objective"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["When", "Who", "Object", "Change", "Field", "Before", "After"]
    titles = [row[6] for row in rows[1:] if row[4] == "Title"]
    assert titles == ["'=HYPERLINK(1)"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_every_tracked_table_exists():
    """A misspelt label would be skipped silently (register_triggers skips a model another
    app has not added yet)."""
    from django.apps import apps

    from history.tracking import TRACKED

    missing = set()
    for tracked in TRACKED:
        try:
            apps.get_model(tracked.label)
        except LookupError:
            missing.add(tracked.label)
    assert missing == set()


def test_the_next_page_and_the_export_keep_the_filters_encoded(
    admin, org, period, member_membership
):
    for i in range(55):
        ObjectiveFactory(org=org, period=period, owner=member_membership, title=f"O{i}")
    page = _log(admin, kind="objectives.objective", since="2000-01-01")
    assert page.context["query"] == "kind=objectives.objective&since=2000-01-01"
    assert page.context["older"].startswith("?kind=objectives.objective&since=2000-01-01&before=")
    typed = _log(admin, who="Mia & co")
    assert typed.context["query"] == "who=Mia+%26+co"
    assert 'href="/acme/history/log.csv?who=Mia+%26+co"' in typed.content.decode()


def test_a_celery_task_is_named_as_the_one_who_changed_it(admin, org, period, member_membership):
    from okr_site.celery import app

    @app.task(name="tests.history.retitle")
    def retitle(pk):
        Objective.objects.filter(pk=pk).update(title="Retitled by a task")

    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    retitle.apply(args=[objective.pk])
    change = Change.objects.get(model="objectives.objective", operation="update")
    assert change.context == {"task": "tests.history.retitle"} and change.actor_id is None
    assert change.context_id is not None
    html = admin.get(url("objective", objective_id=objective.pk), **HX).content.decode()
    assert "Scheduled task" in html


def test_joining_by_invitation_is_recorded_and_shown_in_the_change_log(admin, org, team):
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(org=org, email="newbie@example.com", role="member")
    accept = reverse("invitation-accept", args=[invitation.token])
    assert Client().post(accept, {"full_name": "Nina Newbie", "password": "a-long-secret-1"})
    joined = Change.objects.get(model="organizations.membership", context__url=accept)
    assert joined.operation == "insert" and joined.actor_id is None
    entries = _log(admin, kind="organizations.membership").context["entries"]
    assert entries[0].who.startswith("Someone not signed in to the company")
    assert entries[0].lines[0].subject == "Person: Nina Newbie"


def test_key_result_links_and_also_supports_read_as_names(
    member, member_membership, manager_membership, org, period
):
    """Columns another app added after the history existed (a parent key result, a
    contribution weight) and its "also supports" table are recorded with no change here."""
    from alignment.services import also_supports_add, objective_align
    from history.context import recorded_as

    parent = ObjectiveFactory(org=org, period=period, level="company", title="Grow APAC")
    parent_kr = KeyResultFactory(objective=parent, title="Deliver 1,000 MQLs")
    other = ObjectiveFactory(org=org, period=period, level="company", title="Win Sales")
    hidden = ObjectiveFactory(
        org=org,
        period=period,
        level="company",
        title="Secret merger",
        visibility=Objective.Visibility.PRIVATE,
        owner=manager_membership,
    )
    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Mine")
    with recorded_as(member_membership):
        objective_align(
            objective=mine, parent=parent, key_result=parent_kr, actor=member_membership
        )
        also_supports_add(objective=mine, supported=other, actor=member_membership)
    also_supports_add(objective=mine, supported=hidden, actor=None)
    html = member.get(url("objective", objective_id=mine.pk), **HX).content.decode()
    assert '<ins class="history-after">Deliver 1,000 MQLs</ins>' in html
    assert '<ins class="history-after">Grow APAC</ins>' in html
    assert 'Also supports</span> <span class="muted">created' in html
    assert "Win Sales" in html
    assert "Secret merger" not in html and "a private objective" in html


def test_a_secret_column_is_never_copied_into_the_history(org):
    """Whatever table is tracked, a column named like a secret stays out of its trigger:
    an invitation's token, were invitations tracked, and a sign-on's sealed secret."""
    from history.tracking import RecordChange, Tracked, excluded_columns

    for label, secret in (
        ("organizations.Invitation", "token"),
        ("sso.SingleSignOn", "client_secret_encrypted"),
    ):
        model = apps.get_model(label)
        tracked = Tracked(label, "Anything")
        assert secret in excluded_columns(model, tracked)
        assert f"'{secret}'" in RecordChange(tracked).get_func(model)


def test_alignment_requests_and_sso_settings_are_recorded_without_their_secret(
    org, period, admin_membership, member_membership, member, admin
):
    from alignment import services as alignment_services
    from okr_site.secrets_box import seal
    from sso.models import SingleSignOn

    mine = ObjectiveFactory(org=org, period=period, owner=member_membership, title="Mine")
    theirs = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, level="company", title="Ours"
    )
    request = alignment_services.alignment_request(
        objective=mine, parent=theirs, actor=member_membership
    )
    asked = Change.objects.get(model="alignment.alignmentrequest", object_id=request.pk)
    assert asked.objective_id == mine.pk and asked.changes["parent_id"] == [None, theirs.pk]
    page = member.get(url("objective", objective_id=mine.pk), **HX).content.decode()
    assert "Alignment request" in page and "Ours" in page

    sso = SingleSignOn.objects.create(
        org=org,
        issuer="https://login.example.com",
        client_id="aligned",
        client_secret_encrypted=seal("very-secret"),
        email_domain="acme.example",
        authorization_endpoint="https://login.example.com/auth",
        token_endpoint="https://login.example.com/token",
        userinfo_endpoint="https://login.example.com/me",
        jwks_uri="https://login.example.com/jwks",
    )
    SingleSignOn.objects.filter(pk=sso.pk).update(sso_only=True)
    rows = Change.objects.filter(model="sso.singlesignon", object_id=sso.pk).order_by("id")
    assert [row.operation for row in rows] == ["insert", "update"]
    assert rows[1].changes == {"sso_only": [False, True]}
    assert all("client_secret_encrypted" not in row.changes for row in rows)
    log = admin.get(url("log"), {"kind": "sso.singlesignon"}).content.decode()
    assert "Single sign-on settings" in log and "very-secret" not in log
