from django.apps import AppConfig


class DependenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dependencies"
    verbose_name = "Dependencies"
