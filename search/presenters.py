"""What the search hits print, shaped once per row in plain Python.

The results page shows up to a hundred hits, each a link and a line of context; a ``{% url %}``
and a dozen template lookups per hit were a third of the page's time at 5,000 people, so
each URL name is reversed once (``RowUrls``) and each line is built here (docs/performance.md).
"""

from dataclasses import dataclass

from objectives.presenters import RowUrls

from .selectors import Found


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    meta: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    hits: list[Hit]
    more: bool


def _objective(row, url) -> Hit:
    parts = [row.level_label]
    if row.team_name:
        parts.append(row.team_name)
    elif row.owner_name:
        parts.append(row.owner_name)
    parts.append(row.period_name)
    if row.is_private:
        parts.append("Private")
    return Hit(row.title, url("objectives:objective", objective_id=row.pk), " · ".join(parts))


def _key_result(row, url) -> Hit:
    meta = f"in {row.objective_title} · {row.period_name}"
    return Hit(row.title, url("objectives:kr", kr_id=row.pk), meta)


def _person(row, url) -> Hit:
    return Hit(row.name, url("objectives:person", person_id=row.pk), row.job_title or row.email)


def _team(row, url) -> Hit:
    meta = f"in {row.parent_name}" if row.parent_name else ""
    return Hit(row.name, url("objectives:team", team_id=row.pk), meta)


SHAPES = {"objectives": _objective, "key_results": _key_result, "people": _person, "teams": _team}


def kinds(found: Found, org_slug: str) -> list[Kind]:
    """Each kind's hits, in the order the results show them (empty kinds included)."""
    url = RowUrls(org_slug)
    return [
        Kind(key, label, [SHAPES[key](row, url) for row in rows], bool(more))
        for key, label, rows, more in found.kinds
    ]
