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
    # A send to a Redis that is down fails within a second instead of sleeping 2 s between
    # reconnects (outbox.dispatch keeps the task): one immediate second try, which covers a
    # pooled connection that died while Redis restarted. Documented failover options.
    "socket_connect_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT", 0.25)) * 4,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}

app.conf.beat_schedule = {
    "dispatch-due-reminders": {
        "task": "checkins.tasks.dispatch_due_reminders",
        "schedule": 5 * 60.0,
    },
    # A dead worker's reminder batch (claims without a heartbeat for the claim timeout, two
    # minutes) goes out again within a minute of going stale.
    "rescue-stuck-reminders": {
        "task": "checkins.tasks.rescue_stuck_reminders",
        "schedule": 60.0,
    },
    # Daily and weekly notification digests go out at 8:00 in each company's time zone.
    "send-notification-digests": {
        "task": "notifications.tasks.send_notification_digests",
        "schedule": 60 * 60.0,
    },
    # Each team's weekly Slack digest at 8:00 on the first day of its company's week (company
    # time, slack.delivery), and Slack posts a lost task left behind.
    "send-slack-digests": {
        "task": "slack.tasks.send_due_digests",
        "schedule": 60 * 60.0,
    },
    # Tasks kept in PostgreSQL while the broker was down (outbox.dispatch) go out once it is back.
    "flush-outbox": {
        "task": "outbox.tasks.flush_outbox",
        "schedule": 60.0,
    },
}

app.autodiscover_tasks()
