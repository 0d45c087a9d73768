"""People leave, companies go (issue 21, item 5).

A person leaving: an admin gives their OKRs of open periods to someone else or archives them,
then the membership is deactivated (never deleted), so their check-ins and audit entries keep
their name. A company going: every row that carries its id goes in one transaction, with the
accounts that belonged to it alone; people who also belong to another company keep theirs.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from alignment.models import DashboardSnapshot, DuplicateDismissal, SimilarObjectives
from alignment.services import also_supports_add, duplicate_dismiss, objective_align
from audit.models import AuditEntry
from checkins.models import CheckIn, KRNudge, ReminderDelivery
from checkins.services import checkin_submit, kr_nudge
from objectives import services as objective_services
from objectives.models import (
    KeyResult,
    KeyResultUserObjectPermission,
    Objective,
    ObjectiveUserObjectPermission,
)
from okr_site.secrets_box import seal
from organizations import services as org_services
from organizations.deletion import company_models, company_rows
from organizations.models import Membership, Organization, TeamMembership
from sso.models import SingleSignOn, SsoIdentity
from tests.factories import (
    CheckInFactory,
    InvitationFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    StrategicThemeFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()

LEAVES_PAGE_BUDGET = 15  # session, user, tenancy, leaver, the picker (4), its OKRs and teams (7)
DELETE_PAGE_BUDGET = 6  # session, user, tenancy, people, accounts, nav


def _leaves_url(membership):
    return reverse(
        "objectives:person-leaves",
        kwargs={"org_slug": membership.org.slug, "membership_id": membership.pk},
    )


def _closed_period(org):
    return PeriodFactory(
        org=org,
        name="Last year's Q4",
        start=datetime.date(2020, 10, 1),
        end=datetime.date(2020, 12, 31),
        is_closed=True,
    )


@pytest.fixture
def leaver_okrs(org, period, team, admin_membership, manager_membership, member_membership):
    """Mia (the member) owns: an individual objective with a KR and her check-in on it, a
    team objective of Marketing, a KR on the manager's objective, and last year's objective
    of a closed period. She manages a sub-team."""
    mia = member_membership
    own = ObjectiveFactory(org=org, period=period, owner=mia, title="Grow APAC audience")
    own_kr = KeyResultFactory(objective=own, title="1,000 followers")
    checkin = checkin_submit(kr=own_kr, author=mia, value="40", confidence="on_track")
    team_objective = ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=mia, title="Brand"
    )
    managers = ObjectiveFactory(org=org, period=period, owner=manager_membership, title="Lead")
    kr_elsewhere = KeyResultFactory(objective=managers, owner=mia, title="Hire two")
    closed = _closed_period(org)
    old = ObjectiveFactory(org=org, period=closed, owner=mia, title="Old goal")
    old_kr = KeyResultFactory(objective=old, title="Old KR")
    sub = TeamFactory(org=org, name="Social", parent=team)
    TeamMembershipFactory(team=sub, membership=mia, is_manager=True)
    objective_services.objective_share(objective=managers, actor=manager_membership, membership=mia)
    return {
        "own": own,
        "own_kr": own_kr,
        "checkin": checkin,
        "team_objective": team_objective,
        "managers": managers,
        "kr_elsewhere": kr_elsewhere,
        "old": old,
        "old_kr": old_kr,
    }


def _owner(model, row):
    return model.objects.get(pk=row.pk).owner_id


# --- a person leaves ---------------------------------------------------------------------


def test_leaving_person_okrs_go_to_the_chosen_person_and_history_keeps_their_name(
    admin, member, member_membership, manager_membership, leaver_okrs
):
    mia, max_ = member_membership, manager_membership
    invited = InvitationFactory(org=mia.org, invited_by=mia)
    page = admin.get(_leaves_url(mia))
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("Grow APAC audience", "Brand", "Hire two"):
        assert title in html
    assert "Old goal" not in html  # closed periods stay as they are

    response = admin.post(_leaves_url(mia), {"okrs": "reassign", "owner": max_.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("organizations:people", args=["acme"])

    o = leaver_okrs
    for objective in (o["own"], o["team_objective"]):
        assert _owner(Objective, objective) == max_.pk
    for kr in (o["own_kr"], o["kr_elsewhere"]):
        assert _owner(KeyResult, kr) == max_.pk
    # The closed period's OKRs are read-only history: still hers.
    assert _owner(Objective, o["old"]) == mia.pk
    assert _owner(KeyResult, o["old_kr"]) == mia.pk
    # Her check-in keeps its author; the membership is deactivated, not deleted.
    assert CheckIn.objects.get(pk=o["checkin"].pk).author_id == mia.pk
    mia.refresh_from_db()
    assert mia.is_active is False
    assert not TeamMembership.objects.filter(membership=mia).exists()
    invited.refresh_from_db()
    assert invited.invited_by_id == mia.pk  # the invitations she sent stay hers
    assert not ObjectiveUserObjectPermission.objects.filter(user=mia.user).exists()
    # She can no longer reach the company.
    assert member.get(reverse("objectives:my", args=["acme"])).status_code == 404
    # The trail: one entry a changed OKR, one for her, all by the admin.
    entries = AuditEntry.objects.filter(actor=admin.membership).order_by("id")
    assert [e.action for e in entries].count("objective.update") == 2
    assert [e.action for e in entries].count("key_result.update") == 2
    summary = entries.get(action="membership.offboard")
    assert summary.target_id == mia.pk
    assert summary.changes["is_active"] == [True, False]
    assert sorted(summary.changes["managed_teams"][0]) != []
    # The KR page still names her as the check-in's author.
    kr_page = admin.get(reverse("objectives:kr", args=["acme", o["own_kr"].pk]))
    assert 'Mia Member <span class="muted">(left)</span>' in kr_page.content.decode()
    trail = admin.get(reverse("audit:list", args=["acme"]), {"person": mia.pk})
    assert 'Mia Member</a> <span class="muted">(left)</span>' in trail.content.decode()


def test_archiving_abandons_their_own_objectives_and_frees_shared_ones(
    admin, member_membership, manager_membership, leaver_okrs
):
    mia = member_membership
    response = admin.post(_leaves_url(mia), {"okrs": "archive"})
    assert response.status_code == 302
    o = leaver_okrs
    own = Objective.objects.get(pk=o["own"].pk)
    assert (own.status, own.owner_id) == ("abandoned", mia.pk)
    assert _owner(KeyResult, o["own_kr"]) == mia.pk  # on her archived objective
    team_objective = Objective.objects.get(pk=o["team_objective"].pk)
    assert (team_objective.status, team_objective.owner_id) == ("active", None)
    # A KR she owned on the manager's objective goes to that objective's owner.
    assert _owner(KeyResult, o["kr_elsewhere"]) == manager_membership.pk
    assert Objective.objects.get(pk=o["old"].pk).status == "active"  # closed: untouched
    mia.refresh_from_db()
    assert not mia.is_active


def test_archiving_moves_the_parent_aligned_progress(admin, org, period, member_membership):
    parent = ObjectiveFactory(org=org, period=period, level="company", owner=None)
    KeyResultFactory(objective=parent, owner=None, current_value=0)
    child = ObjectiveFactory(org=org, period=period, owner=member_membership)
    KeyResultFactory(objective=child, current_value=100)
    objective_align(objective=child, parent=parent, actor=None)
    before = Objective.objects.get(pk=parent.pk).aligned_progress
    admin.post(_leaves_url(member_membership), {"okrs": "archive"})
    after = Objective.objects.get(pk=parent.pk).aligned_progress
    assert after < before  # an abandoned child no longer counts upward


@pytest.mark.parametrize("data", [{}, {"okrs": "reassign"}, {"okrs": "reassign", "owner": "x"}])
def test_leaving_without_a_choice_changes_nothing(admin, member_membership, leaver_okrs, data):
    response = admin.post(_leaves_url(member_membership), data)
    assert response.status_code == 200
    member_membership.refresh_from_db()
    assert member_membership.is_active
    assert _owner(Objective, leaver_okrs["own"]) == member_membership.pk


def test_the_successor_must_be_active_and_of_the_company(
    admin, org, member_membership, outsider_membership
):
    gone = MembershipFactory(org=org, is_active=False)
    for owner in (gone.pk, outsider_membership.pk, member_membership.pk):
        response = admin.post(_leaves_url(member_membership), {"okrs": "reassign", "owner": owner})
        assert response.status_code == 200
        assert response.context["form"].errors["owner"]
    with pytest.raises(ValidationError):
        objective_services.membership_offboard(
            membership=member_membership, actor=admin.membership, reassign_to=gone
        )


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_only_admins_may_take_someone_out(request, persona, org, leaver_okrs, member_membership):
    client = request.getfixturevalue(persona)
    target = MembershipFactory(org=org)
    for method in ("get", "post"):
        response = getattr(client, method)(_leaves_url(target), {"okrs": "archive"})
        assert response.status_code == 403, (persona, method)
    target.refresh_from_db()
    assert target.is_active


def test_nobody_takes_themselves_out_so_the_last_admin_stays(admin, admin_membership):
    page = admin.get(_leaves_url(admin_membership))
    assert "You cannot take yourself out" in page.content.decode()
    response = admin.post(_leaves_url(admin_membership), {"okrs": "archive"})
    assert response.status_code == 200
    admin_membership.refresh_from_db()
    assert admin_membership.is_active
    with pytest.raises(ValidationError):
        objective_services.membership_offboard(membership=admin_membership, actor=admin_membership)


def test_an_admin_may_take_another_admin_out(admin, org):
    other_admin = MembershipFactory(org=org, role=Membership.Role.ADMIN)
    assert admin.post(_leaves_url(other_admin), {"okrs": "archive"}).status_code == 302
    other_admin.refresh_from_db()
    assert not other_admin.is_active


def test_a_private_objective_is_listed_too_since_admins_see_everything(
    admin, org, period, member_membership
):
    ObjectiveFactory(
        org=org, period=period, owner=member_membership, visibility="private", title="Secret"
    )
    html = admin.get(_leaves_url(member_membership)).content.decode()
    assert "Secret" in html
    assert "you may not open" not in html


def test_the_people_page_offers_leaving(admin, member_membership, admin_membership):
    html = admin.get(reverse("organizations:people", args=["acme"])).content.decode()
    assert f'href="{_leaves_url(member_membership)}"' in html
    assert f'href="{_leaves_url(admin_membership)}"' not in html  # not oneself


@pytest.mark.parametrize("size", [3, 30])
def test_leaves_page_queries_do_not_grow(
    admin, org, period, team, member_membership, size, django_assert_max_num_queries
):
    other = ObjectiveFactory(org=org, period=period)
    closed = _closed_period(org)
    for _ in range(size):
        objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
        KeyResultFactory(objective=objective)
        KeyResultFactory(objective=other, owner=member_membership)
        ObjectiveFactory(org=org, period=closed, owner=member_membership)
        TeamMembershipFactory(team=TeamFactory(org=org), membership=member_membership)
        MembershipFactory(org=org)
    with django_assert_max_num_queries(LEAVES_PAGE_BUDGET):
        response = admin.get(_leaves_url(member_membership))
    assert response.status_code == 200
    assert len(response.context["okrs"].objectives) == size


# --- a company goes ----------------------------------------------------------------------


def _delete_url(slug="acme"):
    return reverse("config:company-delete", kwargs={"org_slug": slug})


def _company_with_everything(org, period, team, admin_m, manager_m, member_m):
    """One row at least of every kind a company has."""
    year = PeriodFactory(
        org=org,
        kind="year",
        name="FY",
        start=period.start.replace(month=1, day=1),
        end=period.start.replace(month=12, day=31),
    )
    period.parent = year
    period.save(update_fields=["parent"])
    _closed_period(org)
    sub = TeamFactory(org=org, name="Social", parent=team)
    TeamFactory(org=org, name="Deep", parent=sub)
    TeamMembershipFactory(team=sub, membership=member_m)
    theme = StrategicThemeFactory(org=org)
    company_goal = ObjectiveFactory(
        org=org, period=period, level="company", owner=admin_m, theme=theme, title="Grow"
    )
    team_goal = ObjectiveFactory(
        org=org, period=period, level="team", team=sub, owner=manager_m, title="Grow social"
    )
    mine = ObjectiveFactory(org=org, period=period, owner=member_m, title="Grow social reach")
    objective_align(objective=team_goal, parent=company_goal, actor=None)
    objective_align(objective=mine, parent=team_goal, actor=member_m)
    kr = KeyResultFactory(objective=mine)
    CheckInFactory(key_result=kr)
    checkin_submit(kr=kr, author=member_m, value="30", confidence="at_risk")
    objective_services.objective_share(
        objective=mine, actor=member_m, membership=manager_m, co_owner=True
    )
    objective_services.key_result_add_contributor(kr=kr, actor=member_m, membership=admin_m)
    kr_nudge(kr=kr, actor=manager_m)
    SimilarObjectives.objects.get_or_create(
        org=org,
        first_id=min(mine.pk, team_goal.pk),
        second_id=max(mine.pk, team_goal.pk),
        defaults={"score": 0.9},
    )
    duplicate_dismiss(first=mine, second=team_goal, actor=admin_m)
    # Mine contributes to the team goal's key result and also supports the company goal.
    team_kr = KeyResultFactory(objective=team_goal)
    objective_align(objective=mine, parent=team_goal, key_result=team_kr, actor=member_m)
    also_supports_add(objective=mine, supported=company_goal, actor=member_m)
    # A draft submitted for review and sent back with a comment (objectives.ReviewStep).
    org.review_required = True
    draft = ObjectiveFactory(org=org, period=period, owner=member_m, status="draft")
    draft.org = org
    objective_services.objective_publish(objective=draft, actor=member_m)
    objective_services.objective_review(
        objective=draft, actor=manager_m, approve=False, comment="Add a number"
    )
    InvitationFactory(org=org, invited_by=admin_m).teams.set([team, sub])
    schedule = ReminderScheduleFactory(org=org)
    ReminderDelivery.objects.create(
        org=org,
        schedule=schedule,
        membership=member_m,
        occurrence=datetime.datetime.now(tz=datetime.UTC),
    )
    from alignment.snapshots import refresh

    refresh(org, period)
    _closing_rows(org, period, admin_m, manager_m, member_m)
    _conversation_rows(org, period, admin_m, member_m)
    _dependency_rows(org, mine, manager_m, member_m)
    _slack_rows(org, sub, manager_m)
    _import_rows(org, period, admin_m)
    _api_token_rows(member_m)
    org_services.membership_set_role(membership=member_m, actor=admin_m, role="member")
    org_services.team_create(org=org, actor=admin_m, name="Sales")


def _slack_rows(org, team, manager_m):
    """A team's Slack channel and a message posted to it (rows only: nothing leaves)."""
    from okr_site.secrets_box import seal
    from slack.models import SlackPost, TeamSlackHook

    TeamSlackHook.objects.create(
        org=org,
        team=team,
        sealed_url=seal("https://hooks.slack.com/services/T0/B0/X"),
        masked_url="https://hooks.slack.com/…/X",
        set_by=manager_m,
        set_at=datetime.datetime.now(tz=datetime.UTC),
    )
    SlackPost.objects.create(org=org, team=team, kind="test", requested_by=manager_m, status="sent")


def _import_rows(org, period, admin_m):
    """An imported spreadsheet: its upload, kept, and the refs of what it created."""
    from sheets import services as sheets

    content = f"ref,type,title,period,level\nIMP1,objective,Imported,{period.name},company\n"
    upload = sheets.upload_store(
        org=org, actor=admin_m, filename="okrs.csv", content=content.encode()
    )
    assert sheets.upload_import(org=org, actor=admin_m, token=upload.token).committed


def _api_token_rows(member_m):
    """A personal access token of the member's, used and revoked, and a live one."""
    from api.services import api_token_create, api_token_revoke

    used, _ = api_token_create(actor=member_m, name="Report", access="read", expires_in_days=30)
    api_token_revoke(actor=member_m, token=used)
    api_token_create(actor=member_m, name="Sync", access="read_write", expires_in_days=90)


def _dependency_rows(org, objective, manager_m, member_m):
    """A dependency of the member's objective on their manager, answered."""
    from dependencies import services as dependencies
    from organizations.clock import company_today

    asked = dependencies.dependency_request(
        actor=member_m,
        objective=objective,
        what="Sign-off on the budget",
        needed_by=company_today(org) + datetime.timedelta(days=5),
        from_person=manager_m,
    )
    dependencies.dependency_acknowledge(actor=manager_m, dependency=asked, answer="Friday")


def _conversation_rows(org, period, admin_m, member_m):
    """A comment that mentions someone, with a reaction; a comment on a check-in."""
    from conversations import services as talk
    from objectives.models import Objective

    objective = Objective.objects.filter(org=org).first()
    who = admin_m.user.full_name
    comment = talk.comment_create(actor=member_m, objective=objective, body=f"Thanks @{who}")
    talk.reaction_toggle(actor=admin_m, comment=comment, emoji="👍")
    from checkins.models import CheckIn

    checkin = CheckIn.objects.filter(org=org).order_by("id").first()  # a comment on a check-in
    talk.checkin_comment_create(
        actor=admin_m, checkin=checkin, body=f"Well done @{member_m.user.full_name}"
    )
    from notifications.services import notification_settings_save

    notification_settings_save(actor=member_m, choices={"comment": "weekly"})
    from alignment.services import alignment_request

    child = ObjectiveFactory(org=org, period=period, owner=member_m, title="Wants to align")
    parent = ObjectiveFactory(
        org=org, period=period, level=Objective.Level.COMPANY, owner=admin_m, title="Asked"
    )
    alignment_request(objective=child, parent=parent, actor=member_m)


def _closing_rows(org, period, admin_m, manager_m, member_m):
    """A closed quarter as the closing app leaves it: graded, reflected on, carried over."""
    from decimal import Decimal

    from django.utils import timezone

    from closing import models as c

    now = timezone.now()
    closed = PeriodFactory(
        org=org,
        name="Closed with grades",
        start=datetime.date(2019, 1, 1),
        end=datetime.date(2019, 3, 31),
        is_closed=True,
    )
    c.PeriodClosing.objects.create(
        org=org, period=closed, started_at=now, started_by=admin_m, closed_at=now, closed_by=admin_m
    )
    old = ObjectiveFactory(org=org, period=closed, owner=member_m, title="Graded goal")
    c.KRGrade.objects.create(
        org=org,
        key_result=KeyResultFactory(objective=old),
        score=Decimal("0.7"),
        graded_by=member_m,
        graded_at=now,
    )
    c.ObjectiveOutcome.objects.create(
        org=org, objective=old, outcome="partly", decided_by=member_m, decided_at=now
    )
    question = c.ReflectionQuestion.objects.create(org=org, text="What did we learn?")
    c.ReflectionAnswer.objects.create(
        org=org,
        objective=old,
        question=question,
        text="Plenty",
        answered_by=member_m,
        answered_at=now,
    )
    again = ObjectiveFactory(org=org, period=period, owner=member_m, title="Graded goal, again")
    c.CarryOver.objects.create(
        org=org, source=old, copy=again, start_from="ended", carried_by=member_m, carried_at=now
    )
    c.GradingNudge.objects.create(
        org=org,
        objective=old,
        recipient=member_m,
        nudged_by=manager_m,
        day=now.date(),
        created_at=now,
    )
    sso = SingleSignOn.objects.create(
        org=org,
        issuer="https://login.acme.example",
        client_id="aligned",
        client_secret_encrypted=seal("secret"),
        email_domain="acme.example",
        authorization_endpoint="https://login.acme.example/auth",
        token_endpoint="https://login.acme.example/token",
        userinfo_endpoint="https://login.acme.example/me",
        jwks_uri="https://login.acme.example/jwks",
    )
    SsoIdentity.objects.create(org=org, issuer=sso.issuer, subject="mia", user=member_m.user)


def _signed_in() -> set[str]:
    return {s.get_decoded().get("_auth_user_id") for s in Session.objects.all()}


def _all_company_counts(org_id):
    return {model._meta.label: qs.count() for model, qs in company_rows(org_id).items()}


@pytest.fixture
def two_companies(
    org,
    period,
    team,
    admin_membership,
    manager_membership,
    member_membership,
    other_org,
    outsider_membership,
):
    """Acme with everything; Globex with its own data and one of Acme's people (the
    manager) as a member too."""
    _company_with_everything(
        org, period, team, admin_membership, manager_membership, member_membership
    )
    shared = MembershipFactory(org=other_org, user=manager_membership.user)
    globex_period = PeriodFactory(org=other_org, is_current=True)
    globex_team = TeamFactory(org=other_org, name="Ops")
    TeamFactory(org=other_org, name="Ops east", parent=globex_team)
    theirs = ObjectiveFactory(org=other_org, period=globex_period, owner=shared)
    CheckInFactory(key_result=KeyResultFactory(objective=theirs))
    objective_services.objective_share(
        objective=theirs, actor=shared, membership=outsider_membership
    )
    return shared


def test_every_kind_of_company_row_is_built_here(two_companies, org):
    """The deletion test below proves nothing about a kind it never built: a new model with
    a company key must get a row in ``_company_with_everything`` first."""
    empty = sorted(label for label, n in _all_company_counts(org.pk).items() if n == 0)
    assert empty == [], f"teach _company_with_everything to build {empty}"


def test_deleting_a_company_removes_every_row_with_its_id_and_only_its_own_accounts(
    admin,
    org,
    other_org,
    admin_membership,
    manager_membership,
    member_membership,
    two_companies,
    outsider,
):
    org_id = org.pk
    exclusive = [admin_membership.user_id, member_membership.user_id]
    shared_user = manager_membership.user_id
    globex_before = _all_company_counts(other_org.pk)
    member_session = Client()
    member_session.force_login(member_membership.user)
    assert _signed_in() >= {str(pk) for pk in exclusive}

    page = admin.get(_delete_url())
    assert page.status_code == 200
    assert "2 accounts belong" in page.content.decode()
    response = admin.post(_delete_url(), {"confirm_name": "Acme"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")  # their account went too

    assert not Organization.objects.filter(pk=org_id).exists()
    for model in company_models():
        keys = [
            f.attname
            for f in model._meta.concrete_fields
            if f.many_to_one and f.related_model is Organization
        ]
        for key in keys:
            assert not model._base_manager.filter(**{key: org_id}).exists(), model
    assert not AuditEntry.objects.filter(org_id=org_id).exists()
    # Rows hanging on company rows without a company key went too.
    Through = Organization._meta.apps.get_model("organizations", "Invitation").teams.through  # noqa: N806
    assert not Through.objects.filter(team__isnull=True).exists()
    assert ObjectiveUserObjectPermission.objects.count() == 1  # Globex's share
    assert KeyResultUserObjectPermission.objects.count() == 0
    # Accounts: Acme's own went (sessions too); the shared one stays with its Globex membership.
    assert not User.objects.filter(pk__in=exclusive).exists()
    assert list(
        Membership.objects.filter(user_id=shared_user).values_list("org_id", flat=True)
    ) == [other_org.pk]
    assert _signed_in() == {str(outsider.user.pk)}
    # Globex is untouched.
    assert _all_company_counts(other_org.pk) == globex_before
    assert outsider.get(reverse("objectives:my", args=["globex"])).status_code == 200


def test_an_admin_who_belongs_elsewhere_lands_on_their_other_company(
    org, other_org, admin_membership
):
    MembershipFactory(org=other_org, user=admin_membership.user)
    client = Client()
    client.force_login(admin_membership.user)
    response = client.post(_delete_url(), {"confirm_name": " Acme "})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("objectives:my", args=["globex"])
    assert User.objects.filter(pk=admin_membership.user_id).exists()


@pytest.mark.parametrize("typed", ["", "acme", "Acme Inc", "x" * 10_000])
def test_the_company_stays_unless_its_name_is_typed_exactly(admin, org, period, typed):
    ObjectiveFactory(org=org, period=period)
    response = admin.post(_delete_url(), {"confirm_name": typed})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Organization.objects.filter(pk=org.pk).exists()
    assert Objective.objects.filter(org=org).count() == 1


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_only_admins_may_delete_the_company(request, persona, org):
    client = request.getfixturevalue(persona)
    assert client.get(_delete_url()).status_code == 403
    assert client.post(_delete_url(), {"confirm_name": "Acme"}).status_code == 403
    with pytest.raises(PermissionDenied):
        org_services.organization_delete(org=org, actor=client.membership, confirm_name="Acme")
    assert Organization.objects.filter(pk=org.pk).exists()


def test_an_admin_of_another_company_cannot_delete_this_one(org, outsider_membership):
    with pytest.raises(PermissionDenied):
        org_services.organization_delete(org=org, actor=outsider_membership, confirm_name="Acme")
    assert Organization.objects.filter(pk=org.pk).exists()


def test_a_deletion_is_logged(admin, org, caplog):
    with caplog.at_level("WARNING", logger="organizations.services"):
        admin.post(_delete_url(), {"confirm_name": "Acme"})
    assert "Company 'Acme'" in caplog.text and admin.user.email in caplog.text


@pytest.mark.parametrize("size", [3, 30])
def test_delete_page_queries_do_not_grow(admin, org, period, size, django_assert_max_num_queries):
    for _ in range(size):
        person = MembershipFactory(org=org)
        ObjectiveFactory(org=org, period=period, owner=person)
    with django_assert_max_num_queries(DELETE_PAGE_BUDGET):
        response = admin.get(_delete_url())
    assert response.status_code == 200
    assert response.context["people"] == size + 1


def test_every_model_with_a_company_key_is_found(org):
    labels = {model._meta.label for model in company_models()}
    for label in (
        "objectives.Objective",
        "organizations.Team",
        "audit.AuditEntry",
        "checkins.CheckIn",
        "alignment.DashboardSnapshot",
        "checkins.KRNudge",
    ):
        assert label in labels
    assert apps.get_model("accounts.User")._meta.label not in labels
    assert {DashboardSnapshot, DuplicateDismissal, KRNudge} <= set(company_models())


# --- what stays refused ------------------------------------------------------------------


def _team_edit(team):
    return reverse("organizations:team-edit", args=["acme", team.pk])


def test_a_team_with_objectives_or_sub_teams_is_not_deleted_and_the_page_says_why(
    admin, org, team, member_membership
):
    closed = _closed_period(org)
    ObjectiveFactory(org=org, period=closed, level="team", team=team, owner=None)
    TeamFactory(org=org, name="Social", parent=team)
    for response in (
        admin.get(_team_edit(team), {"action": "delete"}),
        admin.post(_team_edit(team), {"action": "delete"}),
    ):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Marketing cannot be deleted while it has 1 objective and 1 sub-team" in html
    assert type(team).objects.filter(pk=team.pk).exists()
    with pytest.raises(ValidationError):
        org_services.team_delete(team=team, actor=admin.membership)


def test_an_empty_team_asks_then_goes_and_its_people_stay(admin, org, team, member_membership):
    invitation = InvitationFactory(org=org)
    invitation.teams.set([team])
    page = admin.get(_team_edit(team), {"action": "delete"})
    assert (
        page.status_code == 200 and "<h1>Delete the team Marketing?</h1>" in page.content.decode()
    )
    response = admin.post(_team_edit(team), {"action": "delete"})
    assert response.status_code == 302
    assert not type(team).objects.filter(pk=team.pk).exists()
    assert not TeamMembership.objects.filter(team_id=team.pk).exists()
    assert list(invitation.teams.all()) == []
    member_membership.refresh_from_db()
    assert member_membership.is_active
    assert AuditEntry.objects.get(action="team.delete").target_id == team.pk


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_only_admins_may_delete_a_team(request, persona, team):
    client = request.getfixturevalue(persona)
    assert client.post(_team_edit(team), {"action": "delete"}).status_code == 403
    assert type(team).objects.filter(pk=team.pk).exists()


def test_the_site_admin_is_told_why_a_team_with_okrs_cannot_be_deleted(org, period, team):
    """Django's admin refuses too, with a page naming what protects the team (its
    objectives, its sub-teams), never an error."""
    ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None, title="Ours")
    TeamFactory(org=org, name="Social", parent=team)
    staff = User.objects.create_superuser(email="root@example.com", password="pw", full_name="R")
    client = Client()
    client.force_login(staff)
    url = reverse("admin:organizations_team_delete", args=[team.pk])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 200
        html = response.content.decode()
        assert "protected related objects" in html and "Ours" in html and "Social" in html
    assert type(team).objects.filter(pk=team.pk).exists()


def test_a_dashboard_refresh_queued_before_the_company_went_does_nothing(admin, org, period):
    from alignment import tasks

    org_id, period_id = org.pk, period.pk
    admin.post(_delete_url(), {"confirm_name": "Acme"})
    assert tasks.refresh_dashboard_snapshots(org_id, period_id) == 0


def test_the_demo_company_goes_whole(other_org, outsider_membership):
    """The seeded story (people, teams, a year of OKRs, check-ins, reminders), deleted by
    its admin: no row keeps its id, and Globex is untouched."""
    from django.core.management import call_command

    call_command("seed_demo", "--org", "demo-co", "--people", "16")
    demo = Organization.objects.get(slug="demo-co")
    admin_m = Membership.objects.get(org=demo, user__email="admin@demo-co.example")
    ObjectiveFactory(org=other_org, period=PeriodFactory(org=other_org))
    globex_before = _all_company_counts(other_org.pk)
    assert sum(_all_company_counts(demo.pk).values()) > 100

    deleted = org_services.organization_delete(org=demo, actor=admin_m, confirm_name=demo.name)

    assert sum(_all_company_counts(demo.pk).values()) == 0
    assert not User.objects.filter(pk__in=deleted.deleted_user_ids).exists()
    assert not User.objects.filter(email__endswith="@demo-co.example").exists()
    assert _all_company_counts(other_org.pk) == globex_before


def test_demo_people_leave_and_the_stored_progress_stays_true(db):
    """In the seeded story: Mara (a manager, with team OKRs) is archived out, Erik's OKRs go
    to the admin; every stored roll-up still matches a full recount."""
    from django.core.management import call_command

    from objectives.rollups import refresh_rollups_for_org

    call_command("seed_demo", "--org", "demo-co", "--people", "16")
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(org__slug="demo-co").select_related("user", "org")
    }
    admin_m, mara, erik = people["admin"], people["mara"], people["erik"]
    owned = Objective.objects.filter(owner=mara, period__is_closed=False).count()
    assert owned and KeyResult.objects.filter(owner=erik).exists()

    objective_services.membership_offboard(membership=mara, actor=admin_m)
    objective_services.membership_offboard(membership=erik, actor=admin_m, reassign_to=admin_m)

    assert not Objective.objects.filter(owner=erik, period__is_closed=False).exists()
    assert not KeyResult.objects.filter(owner=erik, objective__period__is_closed=False).exists()
    assert not Objective.objects.filter(
        owner=mara, period__is_closed=False, status="active"
    ).exists()
    assert refresh_rollups_for_org(admin_m.org_id, write=False) == 0
    assert AuditEntry.objects.filter(action="membership.offboard").count() == 2
