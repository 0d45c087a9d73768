"""URLs of objectives, people and teams for the alignment pages.

Trees and dashboards print hundreds of links and ``reverse`` costs tens of microseconds, so
each URL name is reversed once per company object (``RowUrls``) and reused for every row.
"""

from objectives.presenters import RowUrls


def _row_urls(org) -> RowUrls:
    urls = getattr(org, "_row_urls", None)
    if urls is None or urls.org_slug != org.slug:
        urls = org._row_urls = RowUrls(org.slug)
    return urls


def objective_url(org, objective) -> str:
    return _row_urls(org)("objectives:objective", objective_id=objective.pk)


def subtree_url(org, objective) -> str:
    return _row_urls(org)("alignment:subtree", objective_id=objective.pk)


def person_url(org, membership) -> str:
    return _row_urls(org)("objectives:person", person_id=membership.pk)


def team_url(org, team) -> str:
    return _row_urls(org)("objectives:team", team_id=team.pk)


def map_children_url(org, objective) -> str:
    return _row_urls(org)("alignment:map-children", objective_id=objective.pk)
