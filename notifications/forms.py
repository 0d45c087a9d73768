from django import forms

from .delivery import deliveries
from .models import Delivery, Notification

LABELS = {
    Notification.Kind.MENTION: "When someone mentions you",
    Notification.Kind.COMMENT: "When someone comments on your objectives and key results",
    Notification.Kind.ALIGNMENT_REQUEST: "When someone asks to align to your objective",
    Notification.Kind.ALIGNMENT_ANSWER: "When your request to align is answered",
    Notification.Kind.DEPENDENCY_REQUEST: "When someone needs something from you or your team",
    Notification.Kind.DEPENDENCY_ANSWER: "When someone answers what your objectives need",
    Notification.Kind.MISSED_CHECKIN: (
        "When someone in a team you manage has not checked in after a reminder and a follow-up"
    ),
}


class SettingsForm(forms.Form):
    """One choice of delivery per kind of notification, starting from the person's own."""

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        current = deliveries(membership.org_id, [membership.pk])
        for kind in Notification.Kind.values:
            self.fields[kind] = forms.ChoiceField(
                label=LABELS[kind],
                choices=Delivery.choices,
                initial=current[(membership.pk, kind)],
                widget=forms.RadioSelect,
            )
