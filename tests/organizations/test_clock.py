"""Company time: one module owns "today" and "the current period", pages and e-mails show
company local time, and the current quarter turns over at the company's midnight."""

import datetime
import os
import pathlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from organizations import clock
from organizations.models import Membership, Period
from tests.factories import (
    CheckInFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    TeamFactory,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
UTC = datetime.UTC
TONGA = "Pacific/Tongatapu"  # UTC+13 all year
LOS_ANGELES = "America/Los_Angeles"  # UTC-8 in winter


# Ways to compute a day or a zone without the company: Django's localdate, a zone built by
# hand, the server's date, or UTC's date of "now".
FORBIDDEN = re.compile(r"\blocaldate\(|\bZoneInfo\(|\bdate\.today\(|\bnow\(\)\.date\(")


def test_nothing_but_the_clock_computes_company_time():
    """``localdate(``, ``ZoneInfo(``, ``date.today(`` and ``now().date(`` appear only in
    organizations/clock.py (tests and migrations aside): every "today" and every zone of a
    company comes from the clock."""
    skipped = {"tests", "migrations", "node_modules", "__pycache__", "static", "templates"}
    offenders = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if d not in skipped and not d.startswith(".")]
        for name in files:
            path = pathlib.Path(folder, name)
            relative = path.relative_to(ROOT)
            if name.endswith(".py") and relative != pathlib.Path("organizations/clock.py"):
                for number, line in enumerate(path.read_text().splitlines(), 1):
                    if FORBIDDEN.search(line):
                        offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def _at(zone: str, *args) -> datetime.datetime:
    """A wall-clock moment in ``zone``, as an aware UTC datetime."""
    return datetime.datetime(*args, tzinfo=clock.zone_named(zone)).astimezone(UTC)


def test_zone_falls_back_to_utc():
    assert clock.company_zone(None) == clock.UTC
    assert clock.company_zone(OrganizationFactory.build(time_zone="")) == clock.UTC
    assert clock.company_zone(OrganizationFactory.build(time_zone="Mars/Olympus")) == clock.UTC
    assert str(clock.company_zone(OrganizationFactory.build(time_zone=TONGA))) == TONGA


@pytest.mark.parametrize("zone", [TONGA, LOS_ANGELES])
def test_today_is_the_companys_date(db, zone):
    org = OrganizationFactory(time_zone=zone)
    late = _at(zone, 2026, 12, 31, 23, 30)
    assert clock.company_today(org, late) == datetime.date(2026, 12, 31)
    assert clock.company_today(org, late + datetime.timedelta(hours=1)) == datetime.date(2027, 1, 1)


def _quarters(org):
    q4 = PeriodFactory(org=org, name="FY2026 Q4", start="2026-10-01", end="2026-12-31")
    q1 = PeriodFactory(org=org, name="FY2027 Q1", start="2027-01-01", end="2027-03-31")
    return Period.objects.get(pk=q4.pk), Period.objects.get(pk=q1.pk)


@pytest.mark.parametrize("zone", [TONGA, LOS_ANGELES])
def test_current_quarter_at_2330_on_a_quarters_last_day(db, zone):
    org = OrganizationFactory(time_zone=zone)
    q4, q1 = _quarters(org)
    late = _at(zone, 2026, 12, 31, 23, 30)
    assert clock.current_period(org, now=late) == q4
    assert clock.current_period(org, now=late + datetime.timedelta(hours=1)) == q1
    # from a loaded list, without a query: the same answer
    periods = list(Period.objects.for_org(org))
    assert clock.current_period(org, Period.Kind.QUARTER, periods, now=late) == q4


def test_current_period_prefers_marked_then_today_then_latest_begun_then_next(db):
    org = OrganizationFactory(time_zone=TONGA)
    now = _at(TONGA, 2026, 11, 15, 12, 0)
    assert clock.current_period(org, now=now) is None
    future = PeriodFactory(org=org, start="2030-01-01", end="2030-03-31")
    assert clock.current_period(org, now=now) == future
    past = PeriodFactory(org=org, start="2020-01-01", end="2020-03-31")
    assert clock.current_period(org, now=now) == past
    q4, _ = _quarters(org)
    assert clock.current_period(org, now=now) == q4
    Period.objects.filter(pk=future.pk).update(is_current=True)
    assert clock.current_period(org, now=now) == future


def test_company_timezone_activates_and_restores():
    org = OrganizationFactory.build(time_zone=TONGA)
    before = timezone.get_current_timezone()
    with clock.company_timezone(org):
        assert str(timezone.get_current_timezone()) == TONGA
    assert timezone.get_current_timezone() == before


@pytest.fixture
def frozen(monkeypatch):
    """Freeze ``django.utils.timezone.now`` (what the clock and the pages read)."""

    def freeze(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def _member_of(org):
    membership = MembershipFactory(org=org, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(membership.user)
    return membership, client


@pytest.mark.parametrize("zone", [TONGA, LOS_ANGELES])
def test_every_page_opens_on_the_current_quarter_at_2330_on_its_last_day(db, frozen, zone):
    """Even with the year and the month marked current, every page opens on the quarter."""
    org = OrganizationFactory(time_zone=zone, slug="tz")
    q4, q1 = _quarters(org)
    PeriodFactory(
        org=org, kind="year", name="FY2026", start="2026-01-01", end="2026-12-31", is_current=True
    )
    PeriodFactory(
        org=org,
        kind="month",
        name="Dec 2026",
        start="2026-12-01",
        end="2026-12-31",
        is_current=True,
    )
    team = TeamFactory(org=org)
    frozen(_at(zone, 2026, 12, 31, 23, 30))
    membership, client = _member_of(org)
    pages = [
        "/tz/",
        "/tz/my/",
        "/tz/explore/",
        f"/tz/teams/{team.pk}/",
        f"/tz/people/{membership.pk}/",
        "/tz/alignment/",
        "/tz/alignment/dashboard/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert re.search(rf'<option value="{q4.pk}"\s+selected', response.content.decode()), url
    frozen(_at(zone, 2027, 1, 1, 0, 30))
    assert client.get("/tz/alignment/").context["period"] == q1
    assert client.get("/tz/my/").context["period"] == q1


@pytest.mark.parametrize(
    ("zone", "shown"),
    [(TONGA, "21 Nov 2026, 01:00"), (LOS_ANGELES, "20 Nov 2026, 04:00")],
)
def test_a_checkin_time_is_shown_in_company_time(db, zone, shown):
    org = OrganizationFactory(time_zone=zone, slug="tz")
    membership, client = _member_of(org)
    period = PeriodFactory(org=org, start="2026-10-01", end="2026-12-31")
    kr = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period, owner=membership))
    CheckInFactory(key_result=kr, created_at=datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    html = client.get(f"/tz/krs/{kr.pk}/").content.decode()
    assert shown in html


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        (TONGA, "Figures as of 21 Nov 2026, 01:00"),
        (LOS_ANGELES, "Figures as of 20 Nov 2026, 04:00"),
    ],
)
def test_dashboard_figures_are_dated_in_company_time(db, frozen, zone, shown):
    org = OrganizationFactory(time_zone=zone, slug="tz")
    PeriodFactory(org=org, start="2026-10-01", end="2026-12-31")
    frozen(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    _, client = _member_of(org)
    html = client.get("/tz/alignment/dashboard/").content.decode()
    assert shown in " ".join(html.split())


def test_the_zone_is_not_left_active_after_a_company_request(db, frozen):
    org = OrganizationFactory(time_zone=TONGA, slug="tz")
    _, client = _member_of(org)
    assert client.get("/tz/my/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize(
    ("zone", "shown"),
    [(TONGA, "expires on 1 January 2027, 01:00 +13"), (LOS_ANGELES, "31 December 2026, 04:00 PST")],
)
def test_an_invitation_sent_by_a_task_gives_its_expiry_in_company_time(db, mailoutbox, zone, shown):
    from organizations.emails import send_invitation_email
    from tests.factories import InvitationFactory

    org = OrganizationFactory(time_zone=zone)
    invitation = InvitationFactory(
        org=org, expires_at=datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    )
    assert send_invitation_email(invitation_id=invitation.pk)  # outside any request
    assert shown in " ".join(mailoutbox[0].body.split())
    assert timezone.get_current_timezone_name() == "UTC"  # and the zone is let go after


@pytest.mark.parametrize(
    ("zone", "shown"), [(TONGA, "1 January 2027"), (LOS_ANGELES, "31 December 2026")]
)
def test_the_invitation_page_gives_the_expiry_in_company_time(db, client, zone, shown):
    from django.urls import reverse

    from tests.factories import InvitationFactory

    org = OrganizationFactory(time_zone=zone)
    invitation = InvitationFactory(
        org=org, expires_at=datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    )
    frozen_now = datetime.datetime(2026, 12, 20, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: frozen_now)
        html = client.get(reverse("invitation-accept", args=[invitation.token])).content.decode()
    assert f"expires on {shown}." in html
