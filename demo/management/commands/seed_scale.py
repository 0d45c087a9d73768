from django.core.management.base import BaseCommand, CommandError

from demo.scale import PASSWORD, build_scale_company


class Command(BaseCommand):
    help = (
        "Build a large company for the benchmark with bulk inserts (about 300 teams, 11,000 "
        "objectives, 35,000 key results and 400,000 check-ins for 5,000 people). Running it "
        "again for the same slug reports the company already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", default="scale", help="Company slug (default: scale).")
        parser.add_argument("--people", type=int, default=5000, help="Head count (default 5000).")

    def handle(self, *args, org, people, verbosity=1, **options):
        if people < 8:
            raise CommandError("--people must be at least 8.")
        log = self.stdout.write if verbosity > 1 else None
        try:
            result = build_scale_company(org, people=people, log=log)
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(
            f"{value:,} {name.replace('_', ' ')}" for name, value in result.counts.items()
        )
        verb = "Built" if result.created else "Already built:"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} “{org}” ({counts}) in {result.seconds:.1f}s.")
        )
        self.stdout.write(f"Sign in with password “{PASSWORD}”:")
        for label, email in result.logins.items():
            self.stdout.write(f"  {label:<8} {email}")
