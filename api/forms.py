from django import forms

from .models import ApiToken

EXPIRY_CHOICES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "One year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        help_text="What uses it, e.g. “Weekly report script”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    access = forms.ChoiceField(
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        widget=forms.RadioSelect,
        help_text="Read and write changes OKRs and checks in as you: only what you may do.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
