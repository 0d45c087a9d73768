from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from checkins.reminders import run_in_process


class Command(BaseCommand):
    help = (
        "Dispatch the reminders due now (or at --now) and send them right here, without a "
        "broker. Safe to run often: each reminder goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601 with offset, e.g. 2025-01-31T09:05+01:00).",
        )

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None or moment.tzinfo is None:
                raise CommandError("--now needs an ISO date-time with an offset or Z.")
        report, results = run_in_process(now=moment)
        if not report.dispatched and not report.rescued:
            self.stdout.write("No reminder is due.")
        for schedule, occurrence, count in report.dispatched:
            self.stdout.write(
                f"{schedule.org.name}: “{schedule.name}” of {occurrence:%Y-%m-%d %H:%M} UTC "
                f"for {count} people."
            )
        if report.rescued:
            self.stdout.write(f"Re-sent {report.rescued} deliveries whose task was lost.")
        sent = [email for r in results for email in r.recipients]
        for email in sent:
            self.stdout.write(f"  sent to {email}")
        skipped = sum(len(r.skipped) for r in results)
        failed = sum(len(r.failed) for r in results)
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(sent)}, skipped {skipped}, failed {failed}.")
        )
