"""Writes for companies, people, teams and invitations. Views call these; nothing else writes."""

from django.db import transaction

from .models import Membership, Organization


@transaction.atomic
def organization_create(*, name: str, slug: str, creator, time_zone: str = "UTC") -> Organization:
    """Create a company; its creator becomes its first admin."""
    org = Organization(name=name, slug=slug.lower(), time_zone=time_zone)
    org.full_clean()
    org.save()
    Membership.objects.create(org=org, user=creator, role=Membership.Role.ADMIN)
    return org
