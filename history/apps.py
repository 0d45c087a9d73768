"""The database-level history: PostgreSQL triggers record every change to the tracked
tables (``history.tracking``), whoever made it, with the acting person taken from
``pghistory.context`` (``history.context``)."""

from django.apps import AppConfig


class HistoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "history"
    verbose_name = "History"

    def ready(self):
        from . import context, tracking

        tracking.register_triggers()
        context.connect_task_signals()
