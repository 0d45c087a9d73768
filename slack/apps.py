from django.apps import AppConfig


class SlackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "slack"
    verbose_name = "Slack"

    def ready(self):
        from . import receivers  # noqa: F401  (connects to checkins.events)
