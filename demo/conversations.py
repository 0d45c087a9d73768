"""The demo's conversation: three people talking under a company objective, with mentions
and reactions, written through the services as people would."""

from conversations import services
from conversations.models import Comment
from objectives.models import Objective
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


def seed_conversation(org: Organization, *, people: dict) -> None:
    if Comment.objects.for_org(org).exists():
        return
    objective = (
        Objective.objects.for_org(org)
        .filter(level=Objective.Level.COMPANY, title__icontains="APAC")
        .order_by("id")
        .first()
    )
    if objective is None:
        return
    comments = [
        services.comment_create(actor=people[who], objective=objective, body=body)
        for who, body in THREAD
    ]
    for index, who, emoji in REACTIONS:
        services.reaction_toggle(actor=people[who], comment=comments[index], emoji=emoji)
