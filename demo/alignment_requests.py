"""The demo's pending alignment request: Priya asks to align People & Finance's "Close the
books in five working days" to the admin's "Grow recurring revenue by 40%". It waits for
the admin's answer in their inbox (and under Alignment → requests) and counts nowhere until
accepted. Made through the service as a person would, once."""

from alignment.models import AlignmentRequest
from alignment.services import alignment_request
from objectives.models import Objective
from organizations.models import Organization

CHILD = "Close the books in five working days"
PARENT = "Grow recurring revenue by 40%"


def seed_alignment_request(org: Organization, *, people: dict) -> None:
    if AlignmentRequest.objects.for_org(org).exists():
        return
    current = Objective.objects.for_org(org).filter(period__is_current=True)
    child = current.filter(title=CHILD, owner=people["priya"], parent__isnull=True).first()
    parent = (
        Objective.objects.for_org(org)
        .filter(title=PARENT, level=Objective.Level.COMPANY, owner=people["admin"])
        .order_by("-period__start")
        .first()
    )
    if child is None or parent is None:
        return
    alignment_request(objective=child, parent=parent, actor=people["priya"])
