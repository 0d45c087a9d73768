import time

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.checkins import seed_checkins
from demo.okrs import seed_okrs
from demo.people import seed_people
from objectives.rollups import refresh_rollups_for_org
from organizations.models import Organization


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
        verb = "Built" if created else "Checked"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} demo company “{company.name}” in {time.monotonic() - started:.1f}s."
            )
        )
        self.stdout.write(f"Sign in at /accounts/login/ with password “{password}”:")
        for local, label in [
            ("admin", "admin"),
            ("mara", "manager (Marketing)"),
            ("mia", "member"),
        ]:
            self.stdout.write(f"  {label:<22} {local}@{org}.example")
