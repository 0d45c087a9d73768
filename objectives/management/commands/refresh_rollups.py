from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from objectives.rollups import lock_okr_writes, refresh_rollups_for_org
from organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Recount every objective's stored progress, aligned progress and confidence. Run it "
        "after loading data around the services (imports, SQL fixes); --check only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Company slug (default: every company).")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit with status 1 when a stored number is out of date.",
        )

    def handle(self, *args, org=None, check=False, **options):
        companies = Organization.objects.order_by("slug")
        if org:
            companies = companies.filter(slug=org)
            if not companies.exists():
                raise CommandError(f"No company with the slug “{org}”.")
        stale = 0
        for company in companies:
            with transaction.atomic():
                lock_okr_writes(company.pk)  # no check-in may interleave with the recount
                count = refresh_rollups_for_org(company.pk, write=not check)
            stale += count
            verb = "out of date" if check else "corrected"
            self.stdout.write(f"{company.slug}: {count} objective(s) {verb}")
        if check and stale:
            raise CommandError(f"{stale} objective(s) have out-of-date stored progress.")
