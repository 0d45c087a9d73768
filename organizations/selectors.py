"""Reads shared by the company-administration pages, with their joins applied."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Invitation, Membership, Organization, Team, TeamMembership


def people_for_admin(org: Organization) -> QuerySet[Membership]:
    """Everyone in the company, active first, with their teams (two queries in all)."""
    return (
        Membership.objects.for_org(org)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "team_memberships",
                queryset=TeamMembership.objects.select_related("team").order_by("team__name"),
            )
        )
        .order_by("-is_active", "user__full_name", "user__email")
    )


def invitations_for_admin(org: Organization) -> QuerySet[Invitation]:
    """Invitations still open (pending or expired, not accepted nor revoked)."""
    return (
        Invitation.objects.for_org(org)
        .pending()
        .select_related("invited_by__user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("email")
    )


@dataclass
class TeamNode:
    team: Team
    children: list[TeamNode] = field(default_factory=list)
    depth: int = 0


def _managers_prefetch() -> Prefetch:
    return Prefetch(
        "team_memberships",
        queryset=TeamMembership.objects.filter(is_manager=True, membership__is_active=True)
        .select_related("membership__user")
        .order_by("membership__user__full_name"),
        to_attr="manager_links",
    )


def teams_with_stats(org: Organization) -> QuerySet[Team]:
    return (
        Team.objects.for_org(org)
        .annotate(
            member_count=Count(
                "team_memberships",
                filter=Q(team_memberships__membership__is_active=True),
                distinct=True,
            )
        )
        .prefetch_related(_managers_prefetch())
        .order_by("name")
    )


def team_tree(org: Organization) -> list[TeamNode]:
    """The company's teams as a forest of nested nodes, built from two queries."""
    teams = list(teams_with_stats(org))
    nodes = {team.pk: TeamNode(team=team) for team in teams}
    roots: list[TeamNode] = []
    for team in teams:
        parent = nodes.get(team.parent_id)
        (parent.children if parent else roots).append(nodes[team.pk])

    def set_depth(node: TeamNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def team_members(team: Team) -> QuerySet[TeamMembership]:
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("membership__user")
        .order_by("-is_manager", "membership__user__full_name")
    )


def people_not_in_team(team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.for_org(team.org_id)
        .filter(is_active=True)
        .exclude(team_memberships__team=team)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
