"""Dependencies between teams: declared on an objective or KR, answered by the other side,
shown on both teams' pages, the objective page and the managers' dashboard."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from dependencies import services
from dependencies.models import Dependency
from notifications.models import Notification
from objectives.models import Objective
from organizations.clock import company_today
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    TeamFactory,
    TeamMembershipFactory,
)

Status = Dependency.Status


def url(name, **kwargs):
    return reverse(f"dependencies:{name}", kwargs={"org_slug": "acme", **kwargs})


def objective_url(objective):
    return reverse(
        "objectives:objective", kwargs={"org_slug": "acme", "objective_id": objective.pk}
    )


@pytest.fixture
def sales(org):
    return TeamFactory(org=org, name="Sales")


@pytest.fixture
def sales_manager(org, sales):
    membership = MembershipFactory(org=org, role="manager", user__full_name="Sol Sales")
    TeamMembershipFactory(team=sales, membership=membership, is_manager=True)
    return membership


@pytest.fixture
def sales_client(sales_manager, client):
    client.force_login(sales_manager.user)
    return client


@pytest.fixture
def objective(org, period, team, manager_membership):
    return ObjectiveFactory(
        org=org,
        period=period,
        level=Objective.Level.TEAM,
        team=team,
        owner=manager_membership,
        title="Launch the spring campaign",
    )


@pytest.fixture
def soon(org):
    return company_today(org) + datetime.timedelta(days=10)


def _ask(objective, actor, soon, **kwargs):
    kwargs.setdefault("what", "Pricing for the bundles")
    return services.dependency_request(actor=actor, objective=objective, needed_by=soon, **kwargs)


# --- the model -----------------------------------------------------------------------------


def test_a_dependency_asks_exactly_one_team_or_one_person(objective, sales, member_membership):
    base = dict(
        org=objective.org,
        objective=objective,
        requested_by=objective.owner,
        what="x",
        needed_by=datetime.date(2030, 1, 1),
    )
    for wrong in ({}, {"from_team": sales, "from_person": member_membership}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Dependency.objects.create(**base, **wrong)


# --- declaring -----------------------------------------------------------------------------


def test_the_team_manager_declares_and_the_asked_team_managers_hear_of_it(
    objective, manager_membership, sales, sales_manager, soon
):
    dependency = _ask(objective, manager_membership, soon, from_team=sales)
    assert (dependency.status, dependency.from_team, dependency.needed_by) == (
        Status.REQUESTED,
        sales,
        soon,
    )
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.objective) == (
        sales_manager,
        Notification.Kind.DEPENDENCY_REQUEST,
        objective,
    )
    entry = AuditEntry.objects.get(action="dependency.request")
    assert entry.actor == manager_membership and entry.changes["from"] == [None, "Sales"]


def test_who_may_not_edit_the_objective_may_not_declare(objective, member_membership, sales, soon):
    with pytest.raises(PermissionDenied):
        _ask(objective, member_membership, soon, from_team=sales)
    assert not Dependency.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"what": "  "}, "what"),
        ({"needed_by": datetime.date(2000, 1, 1)}, "needed_by"),
        ({}, "from_team"),
    ],
)
def test_bad_requests_are_refused_beside_their_field(
    objective, manager_membership, soon, bad, field
):
    kwargs = {"what": "x", "needed_by": soon, **bad}
    with pytest.raises(ValidationError) as refused:
        services.dependency_request(actor=manager_membership, objective=objective, **kwargs)
    assert field in refused.value.message_dict


def test_asking_its_own_team_or_oneself_is_refused(objective, manager_membership, team, soon):
    with pytest.raises(ValidationError):
        _ask(objective, manager_membership, soon, from_team=team)
    with pytest.raises(ValidationError):
        _ask(objective, manager_membership, soon, from_person=manager_membership)


def test_a_private_objective_asks_only_someone_who_may_see_it(
    org, period, admin_membership, member_membership, sales, sales_manager, soon
):
    secret = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility=Objective.Visibility.PRIVATE
    )
    for asked in ({"from_team": sales}, {"from_person": member_membership}):
        with pytest.raises(ValidationError, match="private"):
            _ask(secret, admin_membership, soon, **asked)
    assert not Dependency.objects.exists() and not Notification.objects.exists()
    # Shared with Sales' manager: now Sales may be asked, and its manager is told.
    from objectives.services import objective_share

    objective_share(objective=secret, actor=admin_membership, membership=sales_manager)
    _ask(secret, admin_membership, soon, from_team=sales)
    assert Notification.objects.get().recipient == sales_manager


def test_a_closed_period_takes_no_new_dependency(
    objective, manager_membership, sales, soon, period
):
    period.is_closed = True
    period.save()
    objective.period.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        _ask(objective, manager_membership, soon, from_team=sales)


# --- answering -----------------------------------------------------------------------------


def test_the_asked_side_acknowledges_declines_or_proposes_and_the_requester_accepts(
    objective, manager_membership, sales, sales_manager, soon
):
    dependency = _ask(objective, manager_membership, soon, from_team=sales)
    later = soon + datetime.timedelta(days=7)
    services.dependency_propose_date(
        actor=sales_manager, dependency=dependency, proposed_date=later, answer="Busy"
    )
    assert (dependency.status, dependency.proposed_date) == (Status.PROPOSED, later)
    assert Notification.objects.filter(
        recipient=manager_membership, kind=Notification.Kind.DEPENDENCY_ANSWER
    ).exists()
    with pytest.raises(PermissionDenied):  # the asked side does not accept its own date
        services.dependency_accept_date(actor=sales_manager, dependency=dependency)
    services.dependency_accept_date(actor=manager_membership, dependency=dependency)
    dependency.refresh_from_db()
    assert (dependency.status, dependency.needed_by, dependency.proposed_date) == (
        Status.ACKNOWLEDGED,
        later,
        None,
    )
    with pytest.raises(ValidationError):  # declining needs a reason
        services.dependency_decline(actor=sales_manager, dependency=dependency, answer="")
    services.dependency_decline(actor=sales_manager, dependency=dependency, answer="No budget")
    assert dependency.status == Status.DECLINED
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "dependency.request",
        "dependency.propose_date",
        "dependency.accept_date",
        "dependency.decline",
    ]


def test_only_the_asked_side_or_an_admin_answers(
    objective, manager_membership, member_membership, admin_membership, sales, soon
):
    dependency = _ask(objective, manager_membership, soon, from_team=sales)
    for nobody in (member_membership, manager_membership):
        with pytest.raises(PermissionDenied):
            services.dependency_acknowledge(actor=nobody, dependency=dependency)
    services.dependency_acknowledge(actor=admin_membership, dependency=dependency)
    assert dependency.status == Status.ACKNOWLEDGED


def test_the_person_asked_answers(objective, manager_membership, org, soon):
    person = MembershipFactory(org=org, user__full_name="Pia Person")
    dependency = _ask(objective, manager_membership, soon, from_person=person)
    services.dependency_acknowledge(actor=person, dependency=dependency, answer="Sure")
    services.dependency_mark_done(actor=person, dependency=dependency)
    assert dependency.status == Status.DONE
    with pytest.raises(ValidationError):
        services.dependency_acknowledge(actor=person, dependency=dependency)


def test_the_requester_withdraws(objective, manager_membership, sales, soon, member_membership):
    dependency = _ask(objective, manager_membership, soon, from_team=sales)
    with pytest.raises(PermissionDenied):
        services.dependency_withdraw(actor=member_membership, dependency=dependency)
    services.dependency_withdraw(actor=manager_membership, dependency=dependency)
    assert not Dependency.objects.exists()
    assert AuditEntry.objects.filter(action="dependency.withdraw").exists()


# --- pages ---------------------------------------------------------------------------------


def test_declaring_through_the_form_without_javascript(
    manager, objective, sales, soon, sales_manager
):
    kr = KeyResultFactory(objective=objective, title="Leads from the campaign")
    page = manager.get(url("declare", objective_id=objective.pk))
    assert page.status_code == 200 and "Sales" in page.content.decode()
    bad = manager.post(url("declare", objective_id=objective.pk), {"what": "", "from_team": ""})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "Say what you need." in html and "Pick the team or the person" in html
    past = manager.post(
        url("declare", objective_id=objective.pk),
        {"what": "Prices", "from_team": sales.pk, "needed_by": "2001-01-01"},
    )
    assert past.status_code == 400 and "Pick today or a later date." in past.content.decode()
    done = manager.post(
        url("declare", objective_id=objective.pk),
        {
            "what": "Prices",
            "from_team": sales.pk,
            "needed_by": soon.isoformat(),
            "key_result": kr.pk,
        },
    )
    assert done.status_code == 302 and done["Location"].endswith("#dependencies")
    dependency = Dependency.objects.get()
    assert dependency.key_result == kr
    objective_page = manager.get(objective_url(objective)).content.decode()
    panel_url = url("objective", objective_id=objective.pk)
    assert f'hx-get="{panel_url}" hx-trigger="load"' in objective_page  # loaded after the page
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):  # the partial, or a page without JS
        panel = manager.get(panel_url, **headers).content.decode()
        assert "Needs from others" in panel and "Prices" in panel
        assert "Declare a dependency" in panel


def test_a_member_sees_the_section_without_the_declare_link(member, objective):
    html = member.get(url("objective", objective_id=objective.pk)).content.decode()
    assert "Needs from others" in html and "Declare a dependency" not in html
    assert member.get(url("declare", objective_id=objective.pk)).status_code == 403


def test_answering_on_the_page(sales_client, manager, objective, manager_membership, sales, soon):
    dependency = _ask(objective, manager_membership, soon, from_team=sales)
    page = sales_client.get(url("detail", dependency_id=dependency.pk)).content.decode()
    assert "Send answer" in page
    bad = sales_client.post(url("detail", dependency_id=dependency.pk), {"reply": "propose"})
    assert bad.status_code == 400 and "Say which date you propose." in bad.content.decode()
    later = soon + datetime.timedelta(days=3)
    ok = sales_client.post(
        url("detail", dependency_id=dependency.pk),
        {"reply": "propose", "proposed_date": later.isoformat(), "answer": "After launch"},
    )
    assert ok.status_code == 302
    # The requester sees the proposal and accepts it; the other side cannot answer for them.
    html = manager.get(url("detail", dependency_id=dependency.pk)).content.decode()
    assert "Accept" in html and "Send answer" not in html
    assert (
        manager.post(
            url("detail", dependency_id=dependency.pk), {"reply": "acknowledge"}
        ).status_code
        == 403
    )
    manager.post(url("accept-date", dependency_id=dependency.pk))
    dependency.refresh_from_db()
    assert (dependency.status, dependency.needed_by) == (Status.ACKNOWLEDGED, later)
    assert manager.get(url("withdraw", dependency_id=dependency.pk)).status_code == 200
    assert manager.post(url("withdraw", dependency_id=dependency.pk)).status_code == 302
    assert not Dependency.objects.exists()


def test_both_teams_pages_show_the_dependency(member, objective, manager_membership, sales, soon):
    _ask(objective, manager_membership, soon, from_team=sales, what="Pricing for bundles")
    ours = member.get(
        reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": objective.team_id})
    ).content.decode()
    theirs = member.get(
        reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": sales.pk})
    ).content.decode()
    outgoing = ours[ours.index("Marketing needs from others") :]
    incoming = theirs[theirs.index("Others need from Sales") : theirs.index("Sales needs from")]
    assert "Pricing for bundles" in outgoing
    assert "Pricing for bundles" in incoming


def _dashboard(client, period, team=None):
    if team is None:
        target = reverse("alignment:dashboard", kwargs={"org_slug": "acme"})
    else:
        target = reverse(
            "alignment:team-dashboard", kwargs={"org_slug": "acme", "team_id": team.pk}
        )
    html = client.get(target, {"period": period.pk}).content.decode()
    return html[html.index("Dependencies needing attention") :]


def test_the_dashboard_flags_unanswered_overdue_and_off_track_dependencies(
    admin, manager, objective, manager_membership, sales, soon, period, org
):
    fresh = _ask(objective, manager_membership, soon, from_team=sales, what="Fresh and fine")
    old = _ask(objective, manager_membership, soon, from_team=sales, what="Long unanswered")
    Dependency.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5)
    )
    late = _ask(objective, manager_membership, soon, from_team=sales, what="Late delivery")
    Dependency.objects.filter(pk=late.pk).update(
        needed_by=company_today(org) - datetime.timedelta(days=1), status=Status.ACKNOWLEDGED
    )
    # Another objective of the team, whose key result is off track (so is the objective).
    struggling = ObjectiveFactory(
        org=org, period=period, level="team", team=objective.team, owner=manager_membership
    )
    kr = KeyResultFactory(objective=struggling, confidence="off_track")
    _ask(struggling, manager_membership, soon, from_team=sales, what="For a KR", key_result=kr)
    for client in (admin, manager):
        section = _dashboard(client, period)
        assert "Long unanswered" in section and "no answer for 5 days" in section
        assert "Late delivery" in section and "overdue since" in section
        assert "For a KR" in section and "off track" in section
        assert fresh.what not in section
    assert "Late delivery" in _dashboard(admin, period, team=sales)


def test_the_dashboard_leaves_out_dependencies_of_objectives_the_manager_may_not_see(
    manager, org, period, admin_membership, sales, sales_manager, team
):
    secret = ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        visibility=Objective.Visibility.PRIVATE,
        title="Secret merger plan",
    )
    from objectives.services import objective_share

    objective_share(objective=secret, actor=admin_membership, membership=sales_manager)
    dependency = _ask(secret, admin_membership, company_today(org), from_team=sales)
    Dependency.objects.filter(pk=dependency.pk).update(
        needed_by=company_today(org) - datetime.timedelta(days=3)
    )
    # Marketing's manager sees neither the objective nor its dependency, anywhere.
    html = manager.get(
        reverse("alignment:dashboard", kwargs={"org_slug": "acme"}), {"period": period.pk}
    ).content.decode()
    team_page = manager.get(
        reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": sales.pk})
    ).content.decode()
    for page in (html, team_page):
        assert "Secret merger plan" not in page and "Pricing for the bundles" not in page
    section = html[html.index("Dependencies needing attention") :]
    assert '<span class="badge list-total">0</span>' in section  # not counted either
    assert manager.get(url("detail", dependency_id=dependency.pk)).status_code == 404
    assert not Notification.objects.filter(recipient__in=[dependency.requested_by]).exists()


# --- query budgets -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 30])
def test_pages_with_dependencies_cost_the_same_queries_however_many(
    django_assert_max_num_queries, admin, manager, objective, manager_membership, sales, org,
    period, size,
):  # fmt: skip
    for i in range(size):
        dependency = _ask(
            objective,
            manager_membership,
            company_today(org) + datetime.timedelta(days=i),
            from_team=sales,
            what=f"Need {i}",
        )
    Dependency.objects.update(needed_by=company_today(org) - datetime.timedelta(days=1))
    pages = [
        (manager, objective_url(objective), 16),  # its dependencies load after the page
        (manager, url("objective", objective_id=objective.pk), 8),
        (manager, reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": sales.pk}), 13),
        (manager, url("detail", dependency_id=dependency.pk), 8),
        # Its three lists (teams, people, the objective's key results) and the people count.
        (manager, url("declare", objective_id=objective.pk), 11),
    ]
    for client, target, budget in pages:
        with django_assert_max_num_queries(budget):
            assert client.get(target).status_code == 200, target
    admin.get(reverse("alignment:dashboard", kwargs={"org_slug": "acme"}), {"period": period.pk})
    with django_assert_max_num_queries(7):
        html = admin.get(
            reverse("alignment:dashboard", kwargs={"org_slug": "acme"}), {"period": period.pk}
        ).content.decode()
    assert html.count('class="dependency-row"') == min(size, 10)


def test_a_large_company_lists_the_teams_people_and_still_accepts_anyone(
    django_assert_max_num_queries, manager, objective, org, soon
):
    people = [MembershipFactory(org=org, user__full_name=f"Person {i:03}") for i in range(205)]
    with django_assert_max_num_queries(13):
        html = manager.get(url("declare", objective_id=objective.pk)).content.decode()
    # Marketing's people are offered (Max), not the 205 others, who may still be named.
    assert "Max Manager" in html and "Person 000" not in html
    assert html.count("<option") < 100
    response = manager.post(
        url("declare", objective_id=objective.pk),
        {"what": "Review", "from_person": people[0].pk, "needed_by": soon.isoformat()},
    )
    assert response.status_code == 302
    assert Dependency.objects.get().from_person == people[0]


def test_the_person_asked_gets_an_email_at_once_and_the_answer_waits_for_the_digest(
    django_capture_on_commit_callbacks, objective, manager_membership, org, soon
):
    from django.core import mail

    person = MembershipFactory(org=org, user__full_name="Pia Person")
    with django_capture_on_commit_callbacks(execute=True):
        dependency = _ask(objective, manager_membership, soon, from_person=person)
    assert [m.to for m in mail.outbox] == [[person.user.email]]
    subject = mail.outbox[0].subject
    assert "needs something from you for" in subject and "Launch the spring campaign" in subject
    with django_capture_on_commit_callbacks(execute=True):
        services.dependency_acknowledge(actor=person, dependency=dependency)
    assert len(mail.outbox) == 1  # the requester hears of it in the daily digest
    assert Notification.objects.filter(
        recipient=manager_membership, kind=Notification.Kind.DEPENDENCY_ANSWER
    ).exists()


def test_the_inbox_says_what_is_needed_and_opens_the_objectives_dependencies(
    sales_client, objective, manager_membership, sales, soon
):
    _ask(objective, manager_membership, soon, from_team=sales)
    inbox = sales_client.get(reverse("notifications:inbox", kwargs={"org_slug": "acme"}))
    html = inbox.content.decode()
    assert "Max Manager" in html and "needs something from you for" in html
    note = Notification.objects.get()
    opened = sales_client.get(
        reverse("notifications:open", kwargs={"org_slug": "acme", "notification_id": note.pk})
    )
    assert opened["Location"] == objective_url(objective) + "#dependencies"


def test_a_draft_asks_only_someone_who_may_see_it(
    org, period, member_membership, sales, sales_manager, soon
):
    draft = ObjectiveFactory(
        org=org, period=period, owner=member_membership, status=Objective.Status.DRAFT
    )
    with pytest.raises(ValidationError, match="not published yet"):
        _ask(draft, member_membership, soon, from_team=sales)
    assert not Notification.objects.exists()


def test_an_objective_made_private_later_takes_its_dependencies_out_of_sight(
    sales_client, objective, manager_membership, sales, soon
):
    dependency = _ask(objective, manager_membership, soon, from_team=sales, what="Bundle prices")
    team_page = reverse("objectives:team", kwargs={"org_slug": "acme", "team_id": sales.pk})
    assert "Bundle prices" in sales_client.get(team_page).content.decode()
    Objective.objects.filter(pk=objective.pk).update(visibility=Objective.Visibility.PRIVATE)
    html = sales_client.get(team_page).content.decode()
    assert "Bundle prices" not in html and objective.title not in html
    assert sales_client.get(url("detail", dependency_id=dependency.pk)).status_code == 404
    inbox = sales_client.get(reverse("notifications:inbox", kwargs={"org_slug": "acme"}))
    assert objective.title not in inbox.content.decode()
