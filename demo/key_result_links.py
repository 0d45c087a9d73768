"""The demo's links beyond one parent objective (issue 19): Marketing's "Deliver 400 MQLs"
key result is measured from the two individual objectives that feed it (Tom's content, which
weighs 2, and Mia's lead forms), and Mia's objective also supports Sales' objective of
converting those MQLs, a link shown on both pages and the map, counted nowhere. All through
the alignment service, as people would; running it twice changes nothing."""

from alignment.models import AlsoSupports
from alignment.services import (
    also_supports_add,
    contribution_weight_set,
    key_result_measure,
    objective_align,
)
from objectives.models import KeyResult, Objective
from organizations.models import Organization

MQL_KR = "Deliver 400 marketing-qualified leads (MQLs) to Sales"
TOMS = "Publish content APAC buyers search for"
MIAS = "Turn APAC followers into leads"
SALES = "Turn Marketing's MQLs into customers"


def seed_key_result_links(org: Organization, *, people: dict) -> None:
    mql = (
        KeyResult.objects.for_org(org)
        .filter(title=MQL_KR)
        .select_related("objective__period")
        .order_by("-objective__period__start")
        .first()
    )
    toms = Objective.objects.for_org(org).filter(title=TOMS).first()
    sales = Objective.objects.for_org(org).filter(title=SALES).first()
    if mql is None or toms is None or sales is None or "mia" not in people:
        return
    team = mql.objective
    mias = Objective.objects.for_org(org).filter(title=MIAS, period=team.period).first()
    if mias is None:
        mias = Objective.objects.create(
            org=org,
            period=team.period,
            level=Objective.Level.INDIVIDUAL,
            owner=people["mia"],
            created_by=people["mia"],
            title=MIAS,
        )
        KeyResult.objects.create(
            org=org,
            objective=mias,
            owner=people["mia"],
            title="Capture 120 leads through LinkedIn lead forms",
            target_value=120,
            current_value=48,
        )
    for objective in (toms, mias):
        objective_align(objective=objective, parent=team, key_result=mql, actor=None)
    # Weights and the measure are the KR's owner's choices: Mara leads Marketing.
    mara = people.get("mara")
    if mara is not None:
        contribution_weight_set(objective=toms, weight="2", actor=mara)
        key_result_measure(kr=mql, measured_by=KeyResult.MeasuredBy.CONTRIBUTORS, actor=mara)
    if not AlsoSupports.objects.filter(objective=mias, supported=sales).exists():
        also_supports_add(objective=mias, supported=sales, actor=people["mia"])
