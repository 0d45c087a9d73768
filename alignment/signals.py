"""Alignment reacts to objectives being saved (objectives never import alignment)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from objectives.models import Objective

from .duplicates import refresh_similar

TEXT_FIELDS = {"title", "description", "period", "level", "team", "owner"}


@receiver(post_save, sender=Objective, dispatch_uid="alignment-refresh-similar")
def refresh_similar_on_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """Keep the stored look-alike pairs current; a parent-only save changes nothing here."""
    if raw or (update_fields is not None and not TEXT_FIELDS & set(update_fields)):
        return
    refresh_similar(instance)
