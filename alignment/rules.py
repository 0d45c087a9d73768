"""The alignment rules, as pure functions over already-loaded rows.

The service enforces them (under a lock) and the parent picker filters with the same
definitions, so "offered" and "accepted" never disagree.

- Same company.
- The child's period lies within the parent's (dates, inclusive).
- An individual objective aligns to a team or company objective.
- A team objective aligns to an objective of one of its ancestor teams, or a company one.
- A company objective aligns only to a company objective of a longer period.
- No cycles (checked by the service with the ancestor chain, see ``services``).

An objective may contribute to a key result instead: the key result stands for its objective
here (same period, level and team), and the chain goes through that objective, so a cycle
through a key result is a cycle.
"""

from django.core.exceptions import ValidationError

from objectives.models import Objective

Level = Objective.Level

MSG_OTHER_COMPANY = "An objective can only align to an objective of the same company."
MSG_SELF = "An objective cannot align to itself."
MSG_NOT_VISIBLE = "You cannot align to that objective: pick one from the list."
MSG_INDIVIDUAL_PARENT = (
    "Objectives align to team or company objectives, not to a person's objective."
)
MSG_COMPANY_PARENT = "A company objective can only align to another company objective."
MSG_TEAM_PARENT = (
    "A team objective can only align to a company objective or to an objective of one of "
    "its parent teams."
)
MSG_PERIOD = "The objective's period ({child}) must lie within the parent's period ({parent})."
MSG_COMPANY_PERIOD = (
    "A company objective can only align to a company objective of a longer period "
    "(for example a quarter's to the year's)."
)
MSG_KR_NOT_OF_PARENT = "That key result is not one of the chosen objective's."
MSG_CYCLE = "This link would create a cycle: “{parent}” already contributes to this objective."


def team_ancestors(team_id: int | None, team_parents: dict[int, int | None]) -> set[int]:
    """Proper ancestors of a team, from an ``{id: parent_id}`` map of the company's teams."""
    result: set[int] = set()
    current = team_parents.get(team_id) if team_id is not None else None
    while current is not None and current not in result:
        result.add(current)
        current = team_parents.get(current)
    return result


def _period_label(period) -> str:
    return f"{period.name}, {period.start:%d %b %Y} – {period.end:%d %b %Y}"


def alignment_error(
    child: Objective, parent: Objective, *, team_parents: dict[int, int | None]
) -> str | None:
    """Why ``child`` may not align to ``parent`` (level, team and period rules), or None.

    Visibility, permissions and cycles need the database and are checked by the service.
    """
    if parent.org_id != child.org_id:
        return MSG_OTHER_COMPANY
    if parent.pk == child.pk:
        return MSG_SELF
    if parent.level == Level.INDIVIDUAL:
        return MSG_INDIVIDUAL_PARENT
    if child.level == Level.COMPANY and parent.level != Level.COMPANY:
        return MSG_COMPANY_PARENT
    if (
        child.level == Level.TEAM
        and parent.level == Level.TEAM
        and parent.team_id not in team_ancestors(child.team_id, team_parents)
    ):
        return MSG_TEAM_PARENT
    cp, pp = child.period, parent.period
    if not (pp.start <= cp.start and cp.end <= pp.end):
        return MSG_PERIOD.format(child=_period_label(cp), parent=_period_label(pp))
    if child.level == Level.COMPANY and (pp.start, pp.end) == (cp.start, cp.end):
        return MSG_COMPANY_PERIOD
    return None


def check_alignment(child, parent, *, team_parents) -> None:
    error = alignment_error(child, parent, team_parents=team_parents)
    if error:
        raise ValidationError(error, code="alignment")
