"""A large, believable company for the benchmark, built with bulk inserts.

``build_scale_company(slug, people=5000)`` creates, in one transaction:

- about ``people / 17`` teams nested four levels deep (divisions, departments, groups,
  squads), each with a manager; every person sits in a team;
- eight quarters (the current one and the seven before it) with their months and years;
- about ``2.2 * people`` objectives at company, team and individual level, aligned upward
  (individual -> an objective of the person's team, team -> an objective of the parent
  team, top-level team -> a company objective), about three key results each;
- about ``80 * people`` check-ins (once ``checkins.CheckIn`` exists), loaded with
  PostgreSQL ``COPY``; each KR's ``current_value`` / ``confidence`` / ``last_checkin_at``
  match its latest check-in;
- links beyond one parent objective: about half of the individual objectives under a team
  objective serve its first key result instead, a third of those key results are measured
  from their contributors, a fifth of the aligned objectives weigh 2 or 0.5, and about 5%
  of the current quarter's individual objectives also support another team's objective.

Bulk seeding is the one place that writes ``Objective.parent`` directly instead of going
through ``alignment.services``: the alignment rules (same period, upward only, no cycles)
hold by construction here, and one service call per objective would take minutes.

Everyone's password is ``bench``, hashed once and reused. Known logins:
``admin@SLUG.example`` (admin), ``manager@SLUG.example`` (manages the first top-level
team), ``member@SLUG.example`` (a member of a squad under that team).
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from alignment.duplicates import refresh_similar_for_org
from objectives.models import KeyResult, Objective
from objectives.rollups import refresh_rollups_for_org
from organizations.clock import company_today
from organizations.models import (
    Membership,
    Organization,
    Period,
    StrategicTheme,
    Team,
    TeamMembership,
)

User = get_user_model()

PASSWORD = "bench"  # noqa: S105 - the benchmark's documented demo password
CHUNK = 2000
QUARTERS = 8
OBJECTIVES_PER_PERSON = 2.2
CHECKINS_PER_PERSON = 80
COMPANY_OBJECTIVES_PER_QUARTER = 5
TEAM_OBJECTIVES_PER_QUARTER = 2
CHECKIN_SPACING_DAYS = 5


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


FIRST = _words(
    "Ada Alex Amir Ana Ben Bea Carl Cora Dana Dev Eli Emma Finn Fay Gus Gia Hana Hugo Ines Ivan "
    "Jon Julia Kai Kim Lena Leo Mara Max Nina Noah Omar Olga Pia Paul Quinn Rosa Sam Sara Tom Una"
)
LAST = _words(
    "Adler Berg Brooks Chen Costa Dahl Diaz Evans Fischer Garcia Haddad Holm Ito Jensen Khan "
    "Kowalski Lind Moreau Nguyen Novak Ortiz Park Petrov Quinn Raman Rossi Santos Schmidt Silva "
    "Tanaka Ueda Varga Weber Wong Yilmaz Young Zhang Ziegler Alves Becker"
)
LEVEL_WORDS = [
    _words("Go-to-Market|Product|Engineering|Operations|Finance|People|Data|Customer", "|"),
    _words(
        "Marketing|Sales|Platform|Mobile|Web|Support|Success|Legal|Analytics|Infrastructure|"
        "Design|Security|Partnerships|Procurement",
        "|",
    ),
    _words(
        "Growth|Brand|Content|Inbound|Outbound|Payments|Search|Identity|Billing|Onboarding|"
        "Reliability|Tooling|Research|Insights|Accounts|Payroll",
        "|",
    ),
    _words(
        "Apollo|Borealis|Comet|Delta|Ember|Falcon|Granite|Harbor|Iris|Juniper|Kestrel|Lumen|"
        "Meridian|Nova|Orbit|Pulse|Quartz|Raven|Summit|Tidal|Umbra|Vector|Willow|Zenith",
        "|",
    ),
]
LEVEL_KIND = ["Division", "Department", "Group", "Squad"]
THEMES = [
    ("Delight customers", "#0ea5e9"),
    ("Grow revenue", "#16a34a"),
    ("Operational excellence", "#f59e0b"),
    ("Great place to work", "#8b5cf6"),
]
# Titles combine four parts so that, as in a real company, a few objectives of different
# teams read alike (about 0.4% of pairs are >= 0.4 trigram-similar) but most do not.
VERBS = _words(
    "Grow Improve Launch Reduce Scale Simplify Win Ship Double Halve Automate Modernise Expand "
    "Streamline Rebuild Unify Accelerate Protect Open Localise Standardise Retire Pilot Migrate"
)
AREAS = _words(
    "self-serve|enterprise|mid-market|partner|mobile|web|billing|checkout|onboarding|search|"
    "analytics|reporting|support|hiring|payroll|security|compliance|pricing|referral|community|"
    "developer|API|data|infrastructure|observability|release|design|brand|content|events|retail|"
    "wholesale|logistics|warehouse|procurement|legal|finance|training|culture|wellbeing",
    "|",
)
NOUNS = _words(
    "revenue|pipeline|adoption|retention|churn|uptime|latency|costs|satisfaction|NPS|conversion|"
    "activation|engagement|throughput|backlog|coverage|accuracy|margin|cycle time|lead time|"
    "response time|quality|footprint|awareness|signups|renewals|upsell|bookings|tickets|"
    "incidents|defects|velocity|headcount|attrition|diversity|documentation|tooling|automation|"
    "playbooks|dashboards",
    "|",
)
CONTEXTS = [""] * 6 + _words(
    "in EMEA|in North America|in APAC|for SMB customers|for enterprise accounts|"
    "before the spring release|by 20%|by half|to best in class|across all teams|on Android|"
    "on iOS|for new hires|with two new partners|in Germany|in Japan|in Brazil",
    "|",
)
KR_TITLES = [
    "Raise weekly active accounts",
    "Cut time to first value",
    "Close qualified deals",
    "Reach uptime",
    "Lower churned accounts",
    "Publish case studies",
    "Answer tickets within SLA",
    "Ship the redesigned flow",
    "Hire engineers",
    "Lower monthly spend",
    "Raise NPS",
    "Grow qualified leads",
]
NOTES = [
    "",
    "",
    "",
    "Steady week.",
    "Blocked on a dependency, unblocked Friday.",
    "Big customer signed.",
    "Slower than planned; re-planning next sprint.",
    "Ahead of plan thanks to the launch.",
]


@dataclass
class ScaleResult:
    slug: str
    created: bool
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    logins: dict = field(default_factory=dict)


def team_level_sizes(team_count: int) -> list[int]:
    """How many teams at each of the four levels (at least one per level)."""
    team_count = max(4, team_count)
    sizes = [max(1, round(team_count * share)) for share in (0.02, 0.08, 0.25)]
    sizes.append(max(1, team_count - sum(sizes)))
    return sizes


def quarter_starts(today: datetime.date, count: int = QUARTERS) -> list[datetime.date]:
    """First days of the ``count`` quarters ending with the one containing ``today``."""
    index = today.year * 4 + (today.month - 1) // 3
    return [datetime.date(i // 4, (i % 4) * 3 + 1, 1) for i in range(index - count + 1, index + 1)]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    return datetime.date(day.year + index // 12, index % 12 + 1, 1)


def _bulk(model, rows):
    created = []
    for i in range(0, len(rows), CHUNK):
        created += model.objects.bulk_create(rows[i : i + CHUNK])
    return created


def login_emails(slug: str) -> dict:
    return {
        "admin": f"admin@{slug}.example",
        "manager": f"manager@{slug}.example",
        "member": f"member@{slug}.example",
    }


def checkin_model():
    """``checkins.CheckIn`` once it exists and its table is migrated, else ``None``."""
    try:
        model = apps.get_model("checkins", "CheckIn")
    except LookupError:
        return None
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


def existing_result(slug: str) -> ScaleResult | None:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return None
    return ScaleResult(slug=slug, created=False, counts=count_rows(org), logins=login_emails(slug))


def count_rows(org) -> dict:
    counts = {
        "people": Membership.objects.for_org(org).count(),
        "teams": Team.objects.for_org(org).count(),
        "periods": Period.objects.for_org(org).count(),
        "objectives": Objective.objects.for_org(org).count(),
        "key_results": KeyResult.objects.for_org(org).count(),
    }
    model = checkin_model()
    if model is not None:
        counts["checkins"] = model.objects.filter(org=org).count()
    return counts


class _Builder:
    def __init__(self, slug: str, people: int, *, log=None):
        self.slug = slug
        self.people = max(people, 8)
        self.log = log or (lambda message: None)
        self.rng = random.Random(f"aligned-scale-{slug}-{people}")
        self.now = timezone.now()
        self.today = company_today(None, self.now)  # the scale company runs on UTC

    # -- company, periods, themes --------------------------------------------------------
    def build_org(self):
        self.org = Organization.objects.create(
            slug=self.slug,
            name=f"{self.slug.replace('-', ' ').title()} Corp",
            vision="Every team knows how its work moves the company.",
            mission="Build the tools thousands of people plan with.",
            strategy="Focus on fewer, bigger bets; measure weekly.",
        )
        self.themes = _bulk(
            StrategicTheme,
            [StrategicTheme(org=self.org, name=n, colour=c) for n, c in THEMES],
        )

    def build_periods(self):
        starts = quarter_starts(self.today)
        closed_before = self.today - datetime.timedelta(days=30)

        def period(kind, name, start, end, parent=None):
            return Period(
                org=self.org,
                kind=kind,
                name=name,
                start=start,
                end=end,
                parent=parent,
                is_current=start <= self.today <= end,
                is_closed=end < closed_before,
            )

        years = {}
        for year in sorted({s.year for s in starts}):
            years[year] = period(
                Period.Kind.YEAR,
                f"FY{year}",
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 31),
            )
        _bulk(Period, list(years.values()))
        self.quarters = _bulk(
            Period,
            [
                period(
                    Period.Kind.QUARTER,
                    f"FY{s.year} Q{(s.month - 1) // 3 + 1}",
                    s,
                    _add_months(s, 3) - datetime.timedelta(days=1),
                    years[s.year],
                )
                for s in starts
            ],
        )
        months = []
        for quarter in self.quarters:
            for m in range(3):
                first = _add_months(quarter.start, m)
                last = _add_months(first, 1) - datetime.timedelta(days=1)
                months.append(
                    period(Period.Kind.MONTH, first.strftime("%b %Y"), first, last, quarter)
                )
        _bulk(Period, months)
        self.period_count = len(years) + len(self.quarters) + len(months)

    # -- people and teams ----------------------------------------------------------------
    def build_teams(self):
        sizes = team_level_sizes(round(self.people / 17))
        self.levels: list[list[Team]] = []
        for level, size in enumerate(sizes):
            words = LEVEL_WORDS[level]
            rows = []
            for i in range(size):
                name = words[i % len(words)]
                if i >= len(words):
                    name = f"{name} {i // len(words) + 1}"
                if level == 3:
                    name = f"Squad {name}"
                parent = self.levels[level - 1][i % sizes[level - 1]] if level else None
                rows.append(
                    Team(
                        org=self.org,
                        name=name,
                        parent=parent,
                        description=f"{LEVEL_KIND[level]} of {self.slug}.",
                    )
                )
            self.levels.append(_bulk(Team, rows))
        self.teams = [team for level in self.levels for team in level]

    def build_people(self):
        team_count = len(self.teams)
        hashed = make_password(PASSWORD)
        emails = []
        names = []
        logins = login_emails(self.slug)
        for i in range(self.people):
            if i == 0:
                email = logins["admin"]
            elif i == 1:
                email = logins["manager"]
            elif i == team_count + 1:
                email = logins["member"]
            else:
                email = f"person{i}@{self.slug}.example"
            emails.append(email)
            names.append(f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}")
        existing = {
            u.email: u for u in User.objects.filter(email__endswith=f"@{self.slug}.example")
        }
        missing = [
            User(email=email, full_name=name, password=hashed)
            for email, name in zip(emails, names, strict=True)
            if email not in existing
        ]
        for user in _bulk(User, missing):
            existing[user.email] = user
        users = [existing[email] for email in emails]

        def role(i):
            if i == 0:
                return Membership.Role.ADMIN
            if i <= team_count:
                return Membership.Role.MANAGER
            return Membership.Role.MEMBER

        self.memberships = _bulk(
            Membership,
            [
                Membership(
                    org=self.org,
                    user=user,
                    role=role(i),
                    job_title="CEO" if i == 0 else ("Manager" if i <= team_count else ""),
                )
                for i, user in enumerate(users)
            ],
        )
        self.manager_of = {team.id: self.memberships[1 + t] for t, team in enumerate(self.teams)}

        # Everyone else is spread over the teams, deeper teams getting more people.
        weights = [2**level for level, lvl in enumerate(self.levels) for _ in lvl]
        rest = list(range(team_count + 2, self.people))
        total = sum(weights)
        quota = [len(rest) * w // total for w in weights]
        for t in range(len(rest) - sum(quota)):
            quota[-1 - (t % team_count)] += 1
        first_squad = sum(len(lvl) for lvl in self.levels[:3])
        rows = []
        self.team_of: dict[int, Team] = {}  # membership id -> primary team

        def join(membership, team, *, manager=False):
            rows.append(
                TeamMembership(org=self.org, team=team, membership=membership, is_manager=manager)
            )
            self.team_of.setdefault(membership.id, team)

        join(self.memberships[0], self.teams[0])
        for team in self.teams:
            manager = self.manager_of[team.id]
            join(manager, team, manager=True)
            if team.parent_id is not None:  # a manager also sits in the parent team
                rows.append(
                    TeamMembership(org=self.org, team_id=team.parent_id, membership=manager)
                )
        join(self.memberships[team_count + 1], self.teams[first_squad])
        cursor = 0
        for t, team in enumerate(self.teams):
            for i in rest[cursor : cursor + quota[t]]:
                join(self.memberships[i], team)
            cursor += quota[t]
        _bulk(TeamMembership, rows)
        self.team_membership_count = len(rows)
        self.members_of: dict[int, list[Membership]] = {}
        for row in rows:
            if not row.is_manager:
                self.members_of.setdefault(row.team_id, []).append(row.membership)

    # -- objectives and key results ------------------------------------------------------
    def _status(self, quarter):
        if quarter.is_current:
            return Objective.Status.DRAFT if self.rng.random() < 0.05 else Objective.Status.ACTIVE
        roll = self.rng.random()
        if roll < 0.7:
            return Objective.Status.DONE
        if roll < 0.76:
            return Objective.Status.ABANDONED
        return Objective.Status.ACTIVE

    def _title(self):
        rng = self.rng
        parts = (rng.choice(VERBS), rng.choice(AREAS), rng.choice(NOUNS), rng.choice(CONTEXTS))
        return " ".join(part for part in parts if part)

    def build_objectives(self):
        rng = self.rng
        admin = self.memberships[0]
        team_count = len(self.teams)
        target = round(OBJECTIVES_PER_PERSON * self.people)
        fixed = QUARTERS * (
            COMPANY_OBJECTIVES_PER_QUARTER + TEAM_OBJECTIVES_PER_QUARTER * team_count
        )
        individual_total = max(target - fixed, self.people // 4)
        self.objectives: list[Objective] = []

        company = {}
        rows = []
        for quarter in self.quarters:
            for _ in range(COMPANY_OBJECTIVES_PER_QUARTER):
                rows.append(
                    Objective(
                        org=self.org,
                        period=quarter,
                        level=Objective.Level.COMPANY,
                        owner=admin,
                        title=self._title(),
                        description="A company objective everyone can align to.",
                        theme=rng.choice(self.themes),
                        status=self._status(quarter),
                        created_by=admin,
                    )
                )
        for obj in _bulk(Objective, rows):
            company.setdefault(obj.period_id, []).append(obj)
        self.objectives += rows

        self.team_objectives: dict[tuple[int, int], list[Objective]] = {}
        for level in self.levels:
            rows = []
            for quarter in self.quarters:
                for team in level:
                    if team.parent_id is None:
                        parents = company[quarter.id]
                    else:
                        parents = self.team_objectives[(team.parent_id, quarter.id)]
                    manager = self.manager_of[team.id]
                    for _ in range(TEAM_OBJECTIVES_PER_QUARTER):
                        obj = Objective(
                            org=self.org,
                            period=quarter,
                            level=Objective.Level.TEAM,
                            team=team,
                            owner=manager,
                            title=self._title(),
                            theme=rng.choice(self.themes) if rng.random() < 0.5 else None,
                            status=self._status(quarter),
                            created_by=manager,
                        )
                        # Bulk seeding sets the alignment link directly (see module doc).
                        obj.parent_id = rng.choice(parents).id if rng.random() < 0.92 else None
                        rows.append(obj)
            for obj in _bulk(Objective, rows):
                self.team_objectives.setdefault((obj.team_id, obj.period_id), []).append(obj)
            self.objectives += rows

        # Individual objectives: OKR adoption grows, so later quarters have more of them.
        weights = list(range(1, QUARTERS + 1))
        per_quarter = [individual_total * w // sum(weights) for w in weights]
        per_quarter[-1] += individual_total - sum(per_quarter)
        people = self.memberships[1:]
        # The known manager and member come first in the current quarter.
        member = self.memberships[team_count + 1]
        current_order = [member, self.memberships[1]] + [
            m for m in people if m.id not in (member.id, self.memberships[1].id)
        ]
        rows = []
        for q, quarter in enumerate(self.quarters):
            order = current_order if quarter.is_current else people
            offset = 0 if quarter.is_current else rng.randrange(len(people))
            for k in range(per_quarter[q]):
                owner = order[(offset + k) % len(order)]
                team = self.team_of[owner.id]
                obj = Objective(
                    org=self.org,
                    period=quarter,
                    level=Objective.Level.INDIVIDUAL,
                    owner=owner,
                    title=self._title(),
                    visibility=(
                        Objective.Visibility.PRIVATE
                        if rng.random() < 0.05
                        else Objective.Visibility.PUBLIC
                    ),
                    status=self._status(quarter),
                    created_by=owner,
                )
                parents = self.team_objectives[(team.id, quarter.id)]
                obj.parent_id = rng.choice(parents).id if rng.random() < 0.85 else None
                rows.append(obj)
        _bulk(Objective, rows)
        self.objectives += rows

    def _kr_owner(self, objective):
        if objective.level == Objective.Level.INDIVIDUAL:
            return objective.owner
        if objective.level == Objective.Level.TEAM:
            members = self.members_of.get(objective.team_id) or [objective.owner]
            return objective.owner if self.rng.random() < 0.3 else self.rng.choice(members)
        return self.manager_of[self.rng.choice(self.levels[0]).id]

    def build_key_results(self):
        """KRs with their planned check-in history (kept on ``self.history`` for COPY)."""
        rng = self.rng
        quarter_by_id = {q.id: q for q in self.quarters}
        with_checkins = checkin_model() is not None
        # Spread check-ins so the total lands near CHECKINS_PER_PERSON * people.
        slots_by_quarter = {}
        for quarter in self.quarters:
            end = min(
                datetime.datetime.combine(quarter.end, datetime.time(18), datetime.UTC),
                self.now - datetime.timedelta(hours=1),
            )
            start = datetime.datetime.combine(quarter.start, datetime.time(9), datetime.UTC)
            slots = []
            moment = start + datetime.timedelta(days=CHECKIN_SPACING_DAYS)
            while moment < end:
                slots.append(moment)
                moment += datetime.timedelta(days=CHECKIN_SPACING_DAYS)
            slots_by_quarter[quarter.id] = (start, end, slots)
        krs_planned = []
        for objective in self.objectives:
            count = rng.choices((2, 3, 4, 5), weights=(25, 40, 25, 10))[0]
            krs_planned += [(objective, position) for position in range(count)]
        available = sum(len(slots_by_quarter[o.period_id][2]) for o, _ in krs_planned) or 1
        chance = min(1.0, CHECKINS_PER_PERSON * self.people / available)

        rows = []
        self.history = []
        for objective, position in krs_planned:
            quarter = quarter_by_id[objective.period_id]
            roll = rng.random()
            if roll < 0.7:
                kind = KeyResult.Kind.INCREASE
                start = Decimal(rng.randrange(0, 50))
                target = start + rng.randrange(50, 500)
            elif roll < 0.85:
                kind = KeyResult.Kind.DECREASE
                start = Decimal(rng.randrange(100, 1000))
                target = (start * Decimal(rng.randrange(30, 80)) / 100).quantize(Decimal(1))
            else:
                kind = KeyResult.Kind.MILESTONE
                start, target = Decimal(0), Decimal(1)
            unit = rng.choice(
                [KeyResult.Unit.NUMBER, KeyResult.Unit.NUMBER, KeyResult.Unit.PERCENT]
                + [KeyResult.Unit.CURRENCY]
            )
            kr = KeyResult(
                org=self.org,
                objective=objective,
                title=rng.choice(KR_TITLES),
                owner=self._kr_owner(objective),
                kind=kind,
                unit=unit,
                currency_code="EUR" if unit == KeyResult.Unit.CURRENCY else "",
                start_value=start,
                target_value=target,
                current_value=start,
                weight=Decimal(2) if rng.random() < 0.15 else Decimal(1),
                position=position,
            )
            history = []
            q_start, q_end, slots = slots_by_quarter[quarter.id]
            if with_checkins and slots:
                final = rng.uniform(0.1, 1.15)  # where this KR ends up by the quarter's end
                span = (
                    datetime.datetime.combine(quarter.end, datetime.time(18), datetime.UTC)
                    - q_start
                )
                previous, previous_confidence = start, ""
                for slot in slots:
                    if rng.random() >= chance:
                        continue
                    elapsed = (slot - q_start) / span
                    progress = final * elapsed
                    if kind == KeyResult.Kind.MILESTONE:
                        value = Decimal(1) if progress >= 0.9 else Decimal(0)
                    else:
                        noise = rng.uniform(-0.03, 0.03)
                        value = (start + (target - start) * Decimal(progress + noise)).quantize(
                            Decimal("0.01")
                        )
                    gap = progress - elapsed
                    confidence = (
                        KeyResult.Confidence.ON_TRACK
                        if gap > -0.1
                        else KeyResult.Confidence.AT_RISK
                        if gap > -0.3
                        else KeyResult.Confidence.OFF_TRACK
                    )
                    moment = slot + datetime.timedelta(minutes=rng.randrange(0, 480))
                    if moment >= self.now:
                        break
                    history.append(
                        (
                            value,
                            previous,
                            confidence,
                            previous_confidence,
                            rng.choice(NOTES),
                            moment,
                        )
                    )
                    previous, previous_confidence = value, confidence
            if history:
                kr.current_value, _, kr.confidence, _, note, kr.last_checkin_at = history[-1]
                kr.last_checkin_note = note
            rows.append(kr)
            self.history.append(history)
        self.key_results = _bulk(KeyResult, rows)

    def backdate(self):
        """``created_at`` is auto_now_add; make history look like it happened in its quarter."""
        with connection.cursor() as cursor:
            for model in (Objective, KeyResult):
                table = model._meta.db_table
                join = (
                    f"{Period._meta.db_table} p WHERE p.id = t.period_id"
                    if model is Objective
                    else f"{Objective._meta.db_table} o JOIN {Period._meta.db_table} p "
                    "ON p.id = o.period_id WHERE o.id = t.objective_id"
                )
                cursor.execute(
                    f"UPDATE {table} t SET created_at = p.start + interval '2 days', "  # noqa: S608
                    f"updated_at = p.start + interval '2 days' FROM {join} AND t.org_id = %s",
                    [self.org.id],
                )

    def build_dependencies(self) -> int:
        """Each team's first objective of the current quarter needs something from two other
        teams, by a date around today: some answered, some declined or delivered, some
        overdue (the dashboards' "Dependencies needing attention")."""
        from dependencies.models import Dependency

        rng = self.rng
        current = next((q for q in self.quarters if q.is_current), self.quarters[-1])
        statuses = [
            Dependency.Status.REQUESTED,
            Dependency.Status.ACKNOWLEDGED,
            Dependency.Status.ACKNOWLEDGED,
            Dependency.Status.DECLINED,
            Dependency.Status.DONE,
        ]
        rows = []
        for team in self.teams:
            objectives = self.team_objectives.get((team.id, current.id), [])
            others = [other for other in self.teams if other.id != team.id]
            if not objectives or not others:
                continue
            objective = objectives[0]
            for other in rng.sample(others, min(2, len(others))):
                rows.append(
                    Dependency(
                        org=self.org,
                        objective=objective,
                        requested_by_id=objective.owner_id or self.memberships[0].id,
                        from_team=other,
                        what=f"{rng.choice(NOTES)} ({other.name})",
                        needed_by=self.today + datetime.timedelta(days=rng.randint(-14, 30)),
                        status=rng.choice(statuses),
                    )
                )
        _bulk(Dependency, rows)
        return len(rows)

    def build_key_result_links(self) -> dict:
        """Objectives aligned to key results, key results measured from contributors, weights
        and "also supports" links, by the rules (a KR of the objective's own parent; also
        supporting a team objective of the same quarter that is not its parent)."""
        from alignment.models import AlsoSupports

        rng = self.rng
        first_kr: dict[int, int] = {}
        for kr in self.key_results:
            first_kr.setdefault(kr.objective_id, kr.id)
        measured: set[int] = set()
        changed = []
        for obj in self.objectives:
            if obj.parent_id is None:
                continue
            touched = False
            kr_id = first_kr.get(obj.parent_id)
            if obj.level == Objective.Level.INDIVIDUAL and kr_id and rng.random() < 0.5:
                obj.parent_key_result_id = kr_id
                touched = True
                if kr_id % 3 == 0:
                    measured.add(kr_id)
            if rng.random() < 0.2:
                obj.contribution_weight = rng.choice((Decimal(2), Decimal("0.5")))
                touched = True
            if touched:
                changed.append(obj)
        Objective.objects.bulk_update(
            changed, ["parent_key_result", "contribution_weight"], batch_size=2000
        )
        # Measured from contributors: the stored roll-up writes these KRs' values.
        KeyResult.objects.filter(pk__in=measured).update(
            measured_by=KeyResult.MeasuredBy.CONTRIBUTORS
        )
        current = next((q for q in self.quarters if q.is_current), self.quarters[-1])
        team_objectives = [
            o
            for o in self.objectives
            if o.level == Objective.Level.TEAM and o.period_id == current.id
        ]
        supports = []
        mine = [
            o
            for o in self.objectives
            if o.level == Objective.Level.INDIVIDUAL and o.period_id == current.id
        ]
        for index, obj in enumerate(mine if team_objectives else []):
            if index % 20:  # one in twenty, the first included (small companies have one)
                continue
            target = rng.choice(team_objectives)
            if target.id != obj.parent_id:
                supports.append(AlsoSupports(org=self.org, objective=obj, supported=target))
        _bulk(AlsoSupports, supports)
        return {
            "aligned_to_krs": sum(1 for o in changed if o.parent_key_result_id),
            "measured_krs": len(measured),
            "also_supports": len(supports),
        }

    def build_checkins(self) -> int:
        model = checkin_model()
        if model is None:
            return 0
        columns = [
            "org_id",
            "key_result_id",
            "author_id",
            "value",
            "previous_value",
            "confidence",
            "previous_confidence",
            "note",
            "created_at",
        ]
        fields = {f.column: f for f in model._meta.concrete_fields}
        columns = [c for c in columns if c in fields]
        # COPY skips Django's defaults: give any other column its model default.
        extra = {
            column: f.get_default()
            for column, f in fields.items()
            if column not in columns and not f.primary_key
        }
        columns += list(extra)
        org_id = self.org.id
        total = 0
        table = model._meta.db_table
        with connection.cursor() as cursor:
            # The history trigger would run once per seeded row (hundreds of thousands):
            # seeding pauses it, as a restore would, and records the same rows in one
            # statement afterwards (``_record_seeded_checkins``). Inside the build's
            # transaction: a failure puts the trigger back with everything else.
            # ALTER TABLE needs no foreign-key checks pending: they are run now, not at commit.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.copy(sql) as copy:
                for kr, history in zip(self.key_results, self.history, strict=True):
                    author = kr.owner_id
                    for value, previous, confidence, was, note, moment in history:
                        row = {
                            **extra,
                            "org_id": org_id,
                            "key_result_id": kr.id,
                            "author_id": author,
                            "value": str(value),
                            "previous_value": str(previous),
                            "confidence": confidence,
                            "previous_confidence": was,
                            "note": note,
                            "created_at": moment,
                        }
                        copy.write_row([row[c] for c in columns])
                        total += 1
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            _record_seeded_checkins(cursor, model, org_id)
        return total


def _record_seeded_checkins(cursor, model, org_id: int) -> None:
    """The history rows the trigger would have written for the seeded check-ins (its
    INSERT branch: every recorded column as ``[null, value]``), dated when each happened."""
    from history.tracking import BY_LABEL, excluded_columns

    tracked = BY_LABEL.get(model._meta.label_lower)
    if tracked is None:
        return
    cursor.execute(
        f"""
        INSERT INTO history_change (org_id, model, object_id, key_result_id, operation,
                                    changes, created_at)
        SELECT t.org_id, %s, t.id, t.key_result_id, 'insert',
               (SELECT jsonb_object_agg(n.key, jsonb_build_array(NULL, n.value))
                  FROM jsonb_each(to_jsonb(t) - %s::text[]) n
                 WHERE n.value <> 'null'::jsonb),
               t.created_at
          FROM {model._meta.db_table} t
         WHERE t.org_id = %s
        """,
        [model._meta.label_lower, list(excluded_columns(model, tracked)), org_id],
    )


def _analyze(*models) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def build_scale_company(slug: str, *, people: int = 5000, log=None) -> ScaleResult:
    """Build the company ``slug`` with ``people`` people, or report the one already there.

    Raises ``ValueError`` when a company with that slug exists with a different head count.
    """
    started = time.monotonic()
    found = existing_result(slug)
    if found is not None:
        if found.counts["people"] != people:
            raise ValueError(
                f"Company “{slug}” already exists with {found.counts['people']} people, "
                f"not {people}; pick another slug or drop the database."
            )
        found.seconds = time.monotonic() - started
        return found
    builder = _Builder(slug, people, log=log)
    log = builder.log
    with transaction.atomic():
        builder.build_org()
        builder.build_periods()
        builder.build_teams()
        log(f"teams: {len(builder.teams)} ({time.monotonic() - started:.1f}s)")
        builder.build_people()
        log(f"people: {len(builder.memberships)} ({time.monotonic() - started:.1f}s)")
        builder.build_objectives()
        log(f"objectives: {len(builder.objectives)} ({time.monotonic() - started:.1f}s)")
        builder.build_key_results()
        log(f"key results: {len(builder.key_results)} ({time.monotonic() - started:.1f}s)")
        builder.backdate()
        checkins = builder.build_checkins()
        log(f"check-ins: {checkins} ({time.monotonic() - started:.1f}s)")
        dependencies = builder.build_dependencies()
        log(f"dependencies: {dependencies} ({time.monotonic() - started:.1f}s)")
        links = builder.build_key_result_links()
        log(
            f"key-result links, weights, also-supports: {links} ({time.monotonic() - started:.1f}s)"
        )
        # Fresh tables have no planner statistics yet; without them the look-alike join
        # below picks a nested loop that takes many minutes instead of seconds.
        _analyze(Objective, Period)
        # Bulk inserts bypass the save signal that keeps look-alike pairs current.
        pairs = refresh_similar_for_org(builder.org.pk)
        log(f"look-alike pairs: {pairs} ({time.monotonic() - started:.1f}s)")
        # Bulk inserts bypass the services that keep stored progress current.
        refresh_rollups_for_org(builder.org.pk)
        log(f"stored progress ({time.monotonic() - started:.1f}s)")
    with connection.cursor() as cursor:
        # As autovacuum leaves a live database: the build updated every row once (backdating,
        # stored progress), and until a vacuum each trigram index still lists both versions,
        # which doubled the search's rechecks (docs/performance.md).
        # (VACUUM cannot run in a transaction: the tests build inside theirs.)
        can_vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if can_vacuum else "ANALYZE")
    result = ScaleResult(
        slug=slug,
        created=True,
        counts=count_rows(builder.org),
        logins=login_emails(slug),
    )
    result.seconds = time.monotonic() - started
    return result
