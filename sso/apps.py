from django.apps import AppConfig


class SsoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self):
        # accounts sits below every app: it asks the checks registered with it whether a
        # password may sign someone in, and this app registers the "only through SSO" rule.
        from accounts.policy import register_password_check

        from .policy import sso_only_refusal

        register_password_check(sso_only_refusal)
