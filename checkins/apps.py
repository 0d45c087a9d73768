from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"

    def ready(self):
        from organizations.onboarding import StepSpec, register_step

        register_step(
            StepSpec(
                key="reminder",
                order=60,
                title="Set a reminder schedule",
                hint="A regular e-mail nudges people to check in on their key results.",
                url_name="checkins:schedules",
                done=_has_reminder_schedule,
            )
        )


def _has_reminder_schedule(org, membership):
    from django.db.models import Exists, OuterRef

    from .models import ReminderSchedule

    return Exists(ReminderSchedule.objects.filter(org=OuterRef("pk"), enabled=True))
