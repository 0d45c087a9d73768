from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"

    def ready(self):
        from accounts.signals import user_renamed

        user_renamed.connect(_names_changed, dispatch_uid="organizations.user_renamed")


def _names_changed(sender, user, **kwargs):
    """A renamed person's companies show the new name on their next dashboard: the stored
    figures name people, so they are out of date."""
    from .models import Membership, note_data_change

    for org_id in Membership.objects.filter(user=user).values_list("org_id", flat=True):
        note_data_change(org_id)
