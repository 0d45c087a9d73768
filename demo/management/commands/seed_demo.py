import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from demo.alignment_requests import seed_alignment_request
from demo.checkins import seed_checkins
from demo.closing import seed_closed_quarter
from demo.conversations import seed_conversation
from demo.dependencies import seed_dependencies
from demo.key_result_links import seed_key_result_links
from demo.okrs import seed_okrs
from demo.people import PEOPLE, seed_people
from objectives.rollups import refresh_rollups_for_org
from organizations.models import Organization

# The logins the README names, in its order: one per role and story.
DEMO_LOGINS = ["admin", "erik", "mara", "mia"]


class Command(BaseCommand):
    help = "Build (or complete) a believable demo company. Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--org", default="acme", help="Company slug (default: acme).")
        parser.add_argument("--people", type=int, default=24, help="Number of people (>= 14).")
        parser.add_argument("--password", default="demo", help="Password of every demo login.")

    def handle(self, *args, org, people, password, **options):
        started = time.monotonic()
        with transaction.atomic():
            company, created = Organization.objects.get_or_create(
                slug=org,
                defaults={
                    "name": "Acme" if org == "acme" else org.replace("-", " ").title(),
                    "time_zone": "Europe/Oslo",
                },
            )
            built = seed_people(company, people=people, password=password)
            seed_okrs(company, people=built["people"], teams=built["teams"])
            seed_checkins(company, people=built["people"])
            # Bulk inserts bypass the services that keep stored progress current.
            refresh_rollups_for_org(company.pk)
            # Last quarter closed with grades and reflections, one objective carried over.
            seed_closed_quarter(company, people=built["people"])
            # A conversation with mentions and reactions under a company objective, and
            # comments on one of Mia's check-ins.
            seed_conversation(company, people=built["people"])
            # Priya asks to align to the admin's objective: it waits in the admin's inbox.
            seed_alignment_request(company, people=built["people"])
            # Marketing and Sales need something of each other.
            seed_dependencies(company, people=built["people"])
            # A team KR measured from its contributors (weights) and an "also supports" link.
            seed_key_result_links(company, people=built["people"])
        verb = "Built" if created else "Checked"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} demo company “{company.name}” in {time.monotonic() - started:.1f}s."
            )
        )
        login_url = settings.SITE_URL + reverse("accounts:login")
        self.stdout.write(f"Sign in at {login_url} with password “{password}”:")
        titles = {local: (name, role, title) for local, name, role, title, _ in PEOPLE}
        rows = [("who", "e-mail", "name")]
        for local in DEMO_LOGINS:
            name, role, title = titles[local]
            rows.append((f"{role} ({title})", f"{local}@{org}.example", name))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for who, email, name in rows:
            self.stdout.write(f"  {who:<{widths[0]}}  {email:<{widths[1]}}  {name}")
