"""The demo company's periods, vision, themes and OKR story (idempotent).

The story (see DESIGN.md): a vision and strategy, then a yearly company objective of growing
brand value in APAC; Marketing's quarterly social-media objective aligns to it and Mia's
"gain 1,000 relevant followers" KR aligns to Marketing's; Marketing's MQL hand-off feeds
Sales; in Sales Leo qualifies leads and books meetings while Nora converts them (split
work); Engineering and Customer Success chase the same onboarding goal twice (the duplicate
detector's true find); one company objective nobody supports; a couple left unaligned; one
private objective; one draft of Mia's (seen by her and Marketing's managers only).
Objectives are keyed by (org, period, title): a second run adds nothing.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from alignment.services import objective_align
from objectives.models import KeyResult, Objective
from organizations.clock import company_today
from organizations.models import Organization, Period, StrategicTheme, TeamMembership
from organizations.periods import fiscal_year_of, fiscal_year_periods

VISION = """Every operations team in the world runs on **Acme**: calm, measurable work
that people are proud of."""
MISSION = "We build tools that make teams' work visible, so everyone can see how they help."
STRATEGY = """1. **Win APAC** before our competitors do: the region where our category grows
   fastest.
2. **Make onboarding effortless**: a customer should be live in days, not weeks.
3. **Grow efficiently**: recurring revenue up 40% while we stay a great place to work.
"""
THEMES = [
    ("APAC growth", "Brand, customers and people in Asia-Pacific.", "#0f766e"),
    ("Effortless onboarding", "From contract to value in days.", "#4f46e5"),
    ("Efficient growth", "Recurring revenue, margins and a great team.", "#b45309"),
]

C = KeyResult.Confidence
ON, RISK, OFF = C.ON_TRACK, C.AT_RISK, C.OFF_TRACK
INC, DEC, MILE = KeyResult.Kind.INCREASE, KeyResult.Kind.DECREASE, KeyResult.Kind.MILESTONE
NUM, PCT, CUR = KeyResult.Unit.NUMBER, KeyResult.Unit.PERCENT, KeyResult.Unit.CURRENCY


def kr(title, owner=None, *, kind=INC, unit=NUM, start=0, target, current, conf=ON, weight=1,
       currency=""):  # fmt: skip
    return {
        "title": title,
        "owner": owner,
        "kind": kind,
        "unit": unit,
        "currency_code": currency,
        "start_value": Decimal(str(start)),
        "target_value": Decimal(str(target)),
        "current_value": Decimal(str(current)),
        "confidence": conf,
        "weight": Decimal(str(weight)),
    }


def milestone(title, owner=None, *, done, conf=ON):
    return kr(title, owner, kind=MILE, target=1, current=1 if done else 0, conf=conf)


# key, period ("year" | "quarter" | "month" | "prev_quarter" | "prev_year"), level, team,
# owner, title, theme, parent key, key results, extras.
STORY = [
    # --- company, this year ---------------------------------------------------------------
    (
        "apac",
        "year",
        "company",
        None,
        "admin",
        "Grow brand value in the APAC region",
        0,
        None,
        [
            kr(
                "Raise aided brand awareness in Singapore and Australia from 8% to 25%",
                "admin",
                unit=PCT,
                start=8,
                target=25,
                current=14,
                conf=ON,
            ),
            kr("Win 60 new customers in APAC", "sam", target=60, current=17, conf=RISK),
            milestone("Open the Singapore office", "priya", done=True),
        ],
    ),
    (
        "onboard",
        "year",
        "company",
        None,
        "admin",
        "Make onboarding effortless for every customer",
        1,
        None,
        [
            kr(
                "Cut median time to first value from 30 to 7 days",
                "erik",
                kind=DEC,
                start=30,
                target=7,
                current=19,
                conf=RISK,
            ),
            kr(
                "Raise onboarding satisfaction from 62% to 90%",
                "cora",
                unit=PCT,
                start=62,
                target=90,
                current=71,
                conf=ON,
            ),
        ],
    ),
    (
        "revenue",
        "year",
        "company",
        None,
        "admin",
        "Grow recurring revenue by 40%",
        2,
        None,
        [
            kr(
                "Grow ARR from EUR 5M to EUR 7M",
                "admin",
                unit=CUR,
                currency="EUR",
                start=5_000_000,
                target=7_000_000,
                current=5_900_000,
                conf=ON,
            ),
            kr(
                "Keep gross revenue churn under 6%",
                "cora",
                kind=DEC,
                unit=PCT,
                start=9,
                target=6,
                current=8.2,
                conf=OFF,
            ),
        ],
    ),
    (
        "carbon",
        "year",
        "company",
        None,
        "admin",
        "Become a carbon-neutral company",
        2,
        None,
        [
            milestone("Publish our first carbon footprint report", "priya", done=False, conf=RISK),
            kr(
                "Cut business-travel emissions by 30%",
                "priya",
                kind=DEC,
                unit=PCT,
                start=100,
                target=70,
                current=96,
                conf=OFF,
            ),
        ],
    ),
    # --- teams, this quarter --------------------------------------------------------------
    (
        "gtm",
        "quarter",
        "team",
        "Go-to-Market",
        "admin",
        "Launch Acme in Singapore and Australia",
        0,
        "apac",
        [
            milestone("Sign our first three APAC reseller partners", "sam", done=False, conf=RISK),
            kr("Run 4 launch events in Singapore and Sydney", "mara", target=4, current=2),
        ],
    ),
    (
        "mkt-social",
        "quarter",
        "team",
        "Marketing",
        "mara",
        "Build a stronger social-media presence",
        0,
        "apac",
        [
            kr(
                "Grow weekly impressions in APAC from 5,000 to 50,000",
                "mia",
                start=5000,
                target=50000,
                current=21000,
                conf=ON,
            ),
            kr(
                "Raise engagement rate from 1.5% to 4%",
                "mia",
                unit=PCT,
                start=1.5,
                target=4,
                current=2.1,
                conf=RISK,
            ),
        ],
    ),
    (
        "mkt-mql",
        "quarter",
        "team",
        "Marketing",
        "mara",
        "Feed Sales with qualified APAC leads",
        0,
        "revenue",
        [
            kr(
                "Deliver 400 marketing-qualified leads (MQLs) to Sales",
                "tom",
                target=400,
                current=230,
                conf=ON,
                weight=2,
            ),
            kr(
                "Lower cost per MQL from EUR 180 to EUR 120",
                "mara",
                kind=DEC,
                unit=CUR,
                currency="EUR",
                start=180,
                target=120,
                current=150,
                conf=RISK,
            ),
        ],
    ),
    (
        "social",
        "quarter",
        "team",
        "Social Media",
        "mara",
        "Make our channels the place APAC operations teams learn from",
        0,
        "mkt-social",
        [
            kr(
                "Publish 40 short videos made for APAC time zones",
                "mia",
                target=40,
                current=12,
                conf=OFF,
            ),
            milestone("Launch our LinkedIn showcase page for Singapore", "mia", done=True),
        ],
    ),
    (
        "sales",
        "quarter",
        "team",
        "Sales",
        "sam",
        "Turn Marketing's MQLs into customers",
        2,
        "revenue",
        [
            kr(
                "Convert 20% of the MQLs Marketing delivers into opportunities",
                "sam",
                unit=PCT,
                start=8,
                target=20,
                current=13,
                conf=RISK,
            ),
            kr(
                "Close EUR 900,000 in new annual recurring revenue",
                "nora",
                unit=CUR,
                currency="EUR",
                target=900_000,
                current=410_000,
                conf=ON,
            ),
        ],
    ),
    (
        "inbound",
        "quarter",
        "team",
        "Inbound Sales",
        "sam",
        "Answer every inbound lead within one working day",
        2,
        "sales",
        [
            kr(
                "Cut median first-response time from 30 to 8 hours",
                "leo",
                kind=DEC,
                start=30,
                target=8,
                current=11,
                conf=ON,
            ),
            kr("Book 120 discovery meetings from inbound leads", "leo", target=120, current=64),
        ],
    ),
    (
        "pe",
        "quarter",
        "team",
        "Product & Engineering",
        "erik",
        "Ship a self-serve setup",
        1,
        "onboard",
        [
            milestone("Release the self-serve setup wizard to all customers", "erik", done=False),
            kr(
                "Let 50% of new customers finish setup without help",
                "julia",
                unit=PCT,
                start=10,
                target=50,
                current=24,
                conf=RISK,
            ),
        ],
    ),
    (
        "eng-onboard",
        "quarter",
        "team",
        "Engineering",
        "erik",
        "Cut customer onboarding time in half",
        1,
        "onboard",
        [
            kr(
                "Reduce average onboarding time from 28 to 14 days",
                "ivan",
                kind=DEC,
                start=28,
                target=14,
                current=22,
                conf=RISK,
            ),
            kr("Automate 80% of data imports", "ivan", unit=PCT, start=20, target=80, current=45),
        ],
    ),
    (
        "eng-reliability",
        "quarter",
        "team",
        "Engineering",
        "erik",
        "Keep the platform fast and reliable",
        None,
        None,
        [
            kr(
                "Hold availability at 99.95%",
                "ivan",
                unit=PCT,
                start=99.5,
                target=99.95,
                current=99.9,
                conf=ON,
            ),
            kr(
                "Cut p95 page load from 2.4 s to 1.2 s",
                "julia",
                kind=DEC,
                start=2.4,
                target=1.2,
                current=1.9,
                conf=OFF,
            ),
        ],
    ),
    (
        "cs-onboard",
        "quarter",
        "team",
        "Customer Success",
        "cora",
        "Halve the time it takes to onboard a customer",
        1,
        "onboard",
        [
            kr(
                "Bring time-to-go-live from 30 days down to 15",
                "kim",
                kind=DEC,
                start=30,
                target=15,
                current=24,
                conf=RISK,
            ),
            kr(
                "Run a kickoff call within 2 days for 90% of new customers",
                "kim",
                unit=PCT,
                start=40,
                target=90,
                current=70,
            ),
        ],
    ),
    (
        "pf",
        "quarter",
        "team",
        "People & Finance",
        "priya",
        "Hire the team for our APAC expansion",
        0,
        "apac",
        [
            kr("Hire 6 people in Singapore", "omar", target=6, current=2, conf=RISK),
            kr(
                "Keep time-to-hire under 35 days", "omar", kind=DEC, start=50, target=35, current=41
            ),
        ],
    ),
    (
        "pf-books",
        "quarter",
        "team",
        "People & Finance",
        "priya",
        "Close the books in five working days",
        2,
        None,
        [
            kr(
                "Cut month-end close from 12 to 5 working days",
                "priya",
                kind=DEC,
                start=12,
                target=5,
                current=9,
                conf=OFF,
            ),
        ],
    ),
    # --- people, this quarter / month -----------------------------------------------------
    (
        "mia",
        "quarter",
        "individual",
        None,
        "mia",
        "Grow our APAC audience on social media",
        0,
        "mkt-social",
        [
            kr(
                "Gain 1,000 relevant followers this quarter",
                "mia",
                target=1000,
                current=430,
                conf=ON,
            ),
            kr("Post 3 times a week in APAC time zones", "mia", target=36, current=15, conf=RISK),
            milestone("Partner with two APAC operations influencers", "mia", done=False, conf=OFF),
        ],
        {"commitment": Objective.Commitment.ASPIRATIONAL},
    ),
    (  # not published yet: only Mia, her co-owners and Marketing's managers see it
        "mia-draft",
        "quarter",
        "individual",
        None,
        "mia",
        "Become a known voice in APAC operations",
        0,
        "mkt-social",
        [
            kr("Speak at 2 APAC operations events", "mia", target=2, current=0),
            # What the writing coach points out on this draft: a task, done or not.
            milestone("Launch a monthly APAC operations newsletter", "mia", done=False),
        ],
        {"status": Objective.Status.DRAFT},
    ),
    (
        "tom",
        "quarter",
        "individual",
        None,
        "tom",
        "Publish content APAC buyers search for",
        0,
        "mkt-mql",
        [
            kr("Publish 6 localised customer stories", "tom", target=6, current=3),
            kr(
                "Raise blog-to-demo conversion from 1.2% to 2.5%",
                "tom",
                unit=PCT,
                start=1.2,
                target=2.5,
                current=1.4,
                conf=OFF,
            ),
        ],
    ),
    (
        "mara",
        "quarter",
        "individual",
        None,
        "mara",
        "Build a marketing team that owns APAC",
        0,
        "mkt-social",
        [milestone("Hire a social media lead based in Singapore", "mara", done=True)],
    ),
    (
        "sam",
        "quarter",
        "individual",
        None,
        "sam",
        "Coach the team to win APAC deals",
        2,
        "sales",
        [kr("Hold 12 deal reviews with the team", "sam", target=12, current=7)],
    ),
    (
        "leo",
        "month",
        "individual",
        None,
        "leo",
        "Fill the pipeline with qualified meetings",
        2,
        "inbound",
        [
            kr(
                "Qualify 25 inbound leads and book meetings with them",
                "leo",
                target=25,
                current=14,
                conf=ON,
            ),
        ],
    ),
    (
        "nora",
        "month",
        "individual",
        None,
        "nora",
        "Convert booked meetings into deals",
        2,
        "sales",
        [
            kr(
                "Convert 8 of the meetings Inbound books into opportunities",
                "nora",
                target=8,
                current=3,
                conf=RISK,
            ),
            kr(
                "Close EUR 60,000 in new annual revenue",
                "nora",
                unit=CUR,
                currency="EUR",
                target=60000,
                current=22000,
            ),
        ],
    ),
    (
        "erik",
        "quarter",
        "individual",
        None,
        "erik",
        "Make deploys boring",
        None,
        "eng-reliability",
        [kr("Deploy 20 times a week with no rollbacks", "erik", target=20, current=14)],
    ),
    (
        "ivan",
        "quarter",
        "individual",
        None,
        "ivan",
        "Make data imports fast",
        1,
        "eng-onboard",
        [
            kr(
                "Cut import time of a 10,000-row file from 40 to 5 minutes",
                "ivan",
                kind=DEC,
                start=40,
                target=5,
                current=18,
                conf=ON,
            ),
        ],
    ),
    (
        "julia",
        "quarter",
        "individual",
        None,
        "julia",
        "Make the setup wizard delightful",
        1,
        "pe",
        [
            kr(
                "Raise wizard completion from 55% to 85%",
                "julia",
                unit=PCT,
                start=55,
                target=85,
                current=61,
                conf=RISK,
            ),
        ],
    ),
    (
        "cora",
        "quarter",
        "individual",
        None,
        "cora",
        "Know every new customer by name",
        1,
        "cs-onboard",
        [kr("Meet 30 new customers in person or on video", "cora", target=30, current=19)],
    ),
    (
        "kim",
        "quarter",
        "individual",
        None,
        "kim",
        "Onboard every new customer in two weeks",
        1,
        "cs-onboard",
        [
            kr(
                "Reduce my average onboarding time from 30 to 14 days",
                "kim",
                kind=DEC,
                start=30,
                target=14,
                current=20,
                conf=ON,
            ),
        ],
    ),
    (
        "priya",
        "quarter",
        "individual",
        None,
        "priya",
        "Make payroll run itself",
        2,
        "pf-books",
        [
            milestone("Move payroll to the new provider", "priya", done=False, conf=RISK),
        ],
    ),
    (
        "omar",
        "quarter",
        "individual",
        None,
        "omar",
        "Hire engineers in Singapore",
        0,
        "pf",
        [
            kr("Make 4 engineering offers in Singapore", "omar", target=4, current=1, conf=OFF),
        ],
    ),
    (
        "omar-private",
        "quarter",
        "individual",
        None,
        "omar",
        "Earn my recruiter certification",
        None,
        None,
        [
            milestone("Pass the certification exam", "omar", done=False),
        ],
        {"visibility": Objective.Visibility.PRIVATE},
    ),
    (
        "admin",
        "quarter",
        "individual",
        None,
        "admin",
        "Tell our APAC story to investors",
        None,
        None,
        [kr("Meet 10 investors who know APAC", "admin", target=10, current=6)],
    ),
    # --- last quarter --------------------------------------------------------------------
    (
        "prev-company",
        "prev_year",
        "company",
        None,
        "admin",
        "Prepare our expansion into APAC",
        0,
        None,
        [milestone("Choose the first APAC markets", "admin", done=True)],
    ),
    (
        "prev-mkt",
        "prev_quarter",
        "team",
        "Marketing",
        "mara",
        "Launch our APAC brand campaign",
        0,
        "prev-company",
        [
            kr(
                "Reach 1 million people in Singapore and Australia",
                "mara",
                target=1_000_000,
                current=1_120_000,
            ),
            milestone("Launch the campaign website", "tom", done=True),
        ],
        {"status": Objective.Status.DONE},
    ),
    (
        "prev-sales",
        "prev_quarter",
        "team",
        "Sales",
        "sam",
        "Write the APAC sales playbook",
        2,
        "prev-company",
        [
            milestone("Publish the playbook", "sam", done=True),
            kr("Train 8 sellers on it", "sam", target=8, current=6, conf=RISK),
        ],
        {"commitment": Objective.Commitment.ASPIRATIONAL},
    ),
    (
        "prev-mia",
        "prev_quarter",
        "individual",
        None,
        "mia",
        "Set up our APAC social channels",
        0,
        "prev-mkt",
        [kr("Open 4 regional accounts", "mia", target=4, current=4)],
        {"status": Objective.Status.DONE},
    ),
    (
        "prev-eng",
        "prev_quarter",
        "team",
        "Engineering",
        "erik",
        "Move to the new data centre",
        None,
        None,
        [milestone("Migrate every customer", "ivan", done=True)],
        {"status": Objective.Status.DONE},
    ),
]

# Extra people: (title, KR) templates by team; their objective aligns to the team's.
EXTRA = {
    "Engineering": ("Pay down onboarding tech debt", "Close 15 onboarding bugs", "eng-onboard"),
    "Sales": ("Grow my APAC pipeline", "Open 10 qualified opportunities", "sales"),
    "Marketing": ("Run APAC webinars", "Host 3 webinars with 100 attendees each", "mkt-social"),
    "Customer Success": ("Raise customer health", "Run 20 health checks", "cs-onboard"),
    "People & Finance": ("Improve our hiring process", "Shorten interview loops to 3 steps", "pf"),
}


def _periods(org: Organization) -> dict[str, Period]:
    today = company_today(org)
    fiscal_year = fiscal_year_of(org, today)
    previous = fiscal_year_periods(org, fiscal_year - 1)
    # This year's months too: a few of the story's objectives are monthly.
    current = fiscal_year_periods(org, fiscal_year, months=True)
    everything = previous + current

    def containing(kind, day):
        return next(p for p in everything if p.kind == kind and p.start <= day <= p.end)

    chosen = {
        "year": current[0],
        "quarter": containing(Period.Kind.QUARTER, today),
        "month": containing(Period.Kind.MONTH, today),
    }
    for period in chosen.values():
        if not period.is_current:
            Period.objects.for_org(org).filter(kind=period.kind, is_current=True).update(
                is_current=False
            )
            Period.objects.filter(pk=period.pk).update(is_current=True)
    last_quarter_day = chosen["quarter"].start.toordinal() - 1
    prev_quarter = containing(Period.Kind.QUARTER, date.fromordinal(last_quarter_day))
    chosen["prev_quarter"] = prev_quarter
    chosen["prev_year"] = containing(Period.Kind.YEAR, prev_quarter.start)
    return chosen


def _strategy_and_themes(org: Organization) -> list[StrategicTheme]:
    if not (org.vision or org.mission or org.strategy):
        org.vision, org.mission, org.strategy = VISION, MISSION, STRATEGY
        org.save(update_fields=["vision", "mission", "strategy"])
    themes = []
    for name, description, colour in THEMES:
        theme, _ = StrategicTheme.objects.get_or_create(
            org=org, name=name, defaults={"description": description, "colour": colour}
        )
        themes.append(theme)
    return themes


@transaction.atomic
def seed_okrs(org: Organization, *, people: dict, teams: dict) -> None:
    periods = _periods(org)
    themes = _strategy_and_themes(org)
    existing = {
        (o.period_id, o.title): o
        for o in Objective.objects.for_org(org).filter(period__in=list(periods.values()))
    }
    rows: list[tuple] = list(STORY)
    extra_people = [key for key in people if key not in {r[4] for r in STORY}]
    team_of = dict(
        TeamMembership.objects.filter(membership__in=[people[k] for k in extra_people]).values_list(
            "membership_id", "team__name"
        )
    )
    for index, key in enumerate(extra_people):
        if index % 5 == 4:  # "most people": every fifth extra person has no objective yet
            continue
        template = EXTRA.get(team_of.get(people[key].pk))
        if template is None:
            continue
        title, kr_title, parent_key = template
        conf = (ON, RISK, OFF)[index % 3]
        extra_kr = kr(kr_title, key, target=10, current=index % 10, conf=conf)
        rows.append(
            (
                f"extra-{key}",
                "quarter",
                "individual",
                None,
                key,
                title,
                None,
                parent_key,
                [extra_kr],
            )
        )

    objectives: dict[str, Objective] = {}
    new_krs: list[KeyResult] = []
    for row in rows:
        key, period_key, level, team_name, owner_key, title, theme_index, _, krs = row[:9]
        extras = row[9] if len(row) > 9 else {}
        period = periods[period_key]
        objective = existing.get((period.pk, title))
        if objective is None:
            objective = Objective.objects.create(
                org=org,
                period=period,
                level=level,
                team=teams[team_name] if team_name else None,
                owner=people.get(owner_key),
                title=title,
                theme=themes[theme_index] if theme_index is not None else None,
                created_by=people.get(owner_key),
                **extras,
            )
            for position, data in enumerate(krs):
                data = dict(data)
                owner = people.get(data.pop("owner") or owner_key) or objective.owner
                new_krs.append(
                    KeyResult(org=org, objective=objective, owner=owner, position=position, **data)
                )
        objectives[key] = objective
    KeyResult.objects.bulk_create(new_krs)

    for row in rows:
        key, parent_key = row[0], row[7]
        if parent_key is None:
            continue
        objective, parent = objectives[key], objectives[parent_key]
        if objective.parent_id != parent.pk:
            objective_align(objective=objective, parent=parent, actor=None)
