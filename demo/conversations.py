"""The demo's conversations, written through the services as people would: three people
talking under a company objective, with mentions and reactions, and Mara's comment on Mia's
latest check-in of "Gain 1,000 relevant followers this quarter", mentioning Tom, with Mia's
answer. Each part is added once: a second run finds it there."""

from checkins.models import CheckIn
from conversations import services
from conversations.models import Comment
from objectives.models import KeyResult, Objective
from organizations.models import Organization

THREAD = [
    (
        "mia",
        "Social impressions in APAC are up **3x** since the campaign started. "
        "@Mara Lindqvist, should we move budget from print?",
    ),
    (
        "mara",
        "Yes: let's move 20% of the print budget. @Erik Berg, can Sales follow up the extra leads?",
    ),
    ("erik", "We can, from next week. Thanks for the heads-up!"),
]
REACTIONS = [(0, "erik", "👍"), (1, "mia", "🙏"), (2, "mara", "🎉")]

FOLLOWERS_KR = "Gain 1,000 relevant followers this quarter"
CHECKIN_THREAD = [
    ("mara", "Nice jump! @Tom Becker, could your next article build on what worked here?"),
    ("mia", "The short videos did it. @Tom Becker, happy to share the numbers."),
]


def seed_conversation(org: Organization, *, people: dict) -> None:
    _seed_objective_thread(org, people)
    _seed_checkin_thread(org, people)


def _seed_objective_thread(org: Organization, people: dict) -> None:
    objective = (
        Objective.objects.for_org(org)
        .filter(level=Objective.Level.COMPANY, title__icontains="APAC")
        .order_by("id")
        .first()
    )
    if objective is None or Comment.objects.filter(objective=objective).exists():
        return
    comments = [
        services.comment_create(actor=people[who], objective=objective, body=body)
        for who, body in THREAD
    ]
    for index, who, emoji in REACTIONS:
        services.reaction_toggle(actor=people[who], comment=comments[index], emoji=emoji)


def _seed_checkin_thread(org: Organization, people: dict) -> None:
    if Comment.objects.for_org(org).filter(checkin__isnull=False).exists():
        return
    kr = (
        KeyResult.objects.for_org(org)
        .filter(title=FOLLOWERS_KR, owner=people["mia"], objective__period__is_current=True)
        .order_by("id")
        .first()
    )
    checkin = (
        CheckIn.objects.for_org(org)
        .filter(key_result=kr, author=people["mia"])
        .select_related("key_result__objective")
        .order_by("-created_at", "-id")
        .first()
    )
    if checkin is None:
        return
    for who, body in CHECKIN_THREAD:
        services.checkin_comment_create(actor=people[who], checkin=checkin, body=body)
