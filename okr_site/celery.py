import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okr_site.settings")

app = Celery("okr_site")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Redis redelivers an unacknowledged task (a worker died with it, acks_late) once it has been
# invisible this long; it must exceed the longest retry countdown. The exactly-once tests
# shorten it through the environment.
app.conf.broker_transport_options = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 60 * 60)),
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", 10)),
    "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", 10)),
}

app.conf.beat_schedule = {
    "dispatch-due-reminders": {
        "task": "checkins.tasks.dispatch_due_reminders",
        "schedule": 5 * 60.0,
    },
}

app.autodiscover_tasks()
