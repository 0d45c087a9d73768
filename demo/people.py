"""The demo company's people and team tree (idempotent)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from organizations.models import Membership, Organization, Team, TeamMembership

User = get_user_model()

# (parent, team name, description); parents come first.
TEAMS = [
    (None, "Go-to-Market", "Everyone who brings Acme to customers."),
    ("Go-to-Market", "Marketing", "Brand, content and demand generation."),
    ("Marketing", "Social Media", "Our voice on social networks."),
    ("Go-to-Market", "Sales", "Turns qualified leads into customers."),
    ("Sales", "Inbound Sales", "Qualifies inbound leads and books meetings."),
    (None, "Product & Engineering", "Builds the product."),
    ("Product & Engineering", "Engineering", "Platform, apps and reliability."),
    ("Product & Engineering", "Customer Success", "Onboards and keeps our customers."),
    (None, "People & Finance", "Hiring, culture and the numbers."),
]

# (local part, full name, role, job title, [(team, is_manager)])
PEOPLE = [
    ("admin", "Ada Whitfield", "admin", "CEO", [("Go-to-Market", True)]),
    ("mara", "Mara Lindqvist", "manager", "Head of Marketing", [("Marketing", True)]),
    ("sam", "Sam Ortiz", "manager", "Head of Sales", [("Sales", True), ("Inbound Sales", True)]),
    (
        "erik",
        "Erik Berg",
        "manager",
        "Head of Engineering",
        [("Product & Engineering", True), ("Engineering", True)],
    ),
    ("cora", "Cora Díaz", "manager", "Customer Success Lead", [("Customer Success", True)]),
    ("priya", "Priya Raman", "manager", "People & Finance Lead", [("People & Finance", True)]),
    (
        "mia",
        "Mia Chen",
        "member",
        "Social Media Marketer",
        [("Social Media", False), ("Marketing", False)],
    ),
    ("tom", "Tom Becker", "member", "Content Marketer", [("Marketing", False)]),
    ("leo", "Leo Park", "member", "Sales Development Rep", [("Inbound Sales", False)]),
    ("nora", "Nora Quinn", "member", "Account Executive", [("Sales", False)]),
    ("ivan", "Ivan Petrov", "member", "Platform Engineer", [("Engineering", False)]),
    ("julia", "Julia Santos", "member", "Frontend Engineer", [("Engineering", False)]),
    ("kim", "Kim Nguyen", "member", "Onboarding Specialist", [("Customer Success", False)]),
    ("omar", "Omar Haddad", "member", "Recruiter", [("People & Finance", False)]),
]

FIRST = ["Alex", "Bea", "Chris", "Dana", "Eli", "Fay", "Gus", "Hana", "Ines", "Jon", "Kai", "Lena"]
LAST = ["Adler", "Brooks", "Costa", "Dahl", "Evans", "Fischer", "Garcia", "Holm", "Ito", "Jensen"]
EXTRA_TEAMS = ["Engineering", "Sales", "Marketing", "Customer Success", "People & Finance"]


def _person(org, email, full_name, role, job_title, password):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    membership, _ = Membership.objects.get_or_create(
        org=org, user=user, defaults={"role": role, "job_title": job_title}
    )
    return membership


@transaction.atomic
def seed_people(org: Organization, *, people: int, password: str) -> dict:
    """Create the team tree and at least ``people`` people; returns memberships by local part."""
    teams = {}
    for parent, name, description in TEAMS:
        teams[name], _ = Team.objects.get_or_create(
            org=org,
            name=name,
            defaults={"parent": teams.get(parent), "description": description},
        )
    by_key = {}
    for local, full_name, role, job_title, team_roles in PEOPLE:
        email = f"{local}@{org.slug}.example"
        membership = _person(org, email, full_name, role, job_title, password)
        by_key[local] = membership
        for team_name, is_manager in team_roles:
            TeamMembership.objects.get_or_create(
                org=org,
                team=teams[team_name],
                membership=membership,
                defaults={"is_manager": is_manager},
            )
    for i in range(max(0, people - len(PEOPLE))):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        local = f"{first.lower()}.{last.lower()}{i // (len(FIRST) * len(LAST)) or ''}"
        membership = _person(
            org, f"{local}@{org.slug}.example", f"{first} {last}", "member", "", password
        )
        TeamMembership.objects.get_or_create(
            org=org, team=teams[EXTRA_TEAMS[i % len(EXTRA_TEAMS)]], membership=membership
        )
        by_key[local] = membership
    return {"teams": teams, "people": by_key}
