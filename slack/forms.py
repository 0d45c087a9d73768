from django import forms

from .webhooks import MAX_URL_LENGTH, allowed_prefix


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Incoming-webhook URL",
        max_length=MAX_URL_LENGTH,
        strip=True,
        error_messages={"required": "Paste the channel's incoming-webhook URL."},
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].help_text = (
            "In Slack: Apps → Incoming Webhooks → Add to Slack, pick the channel, copy the URL "
            f"(it starts with {allowed_prefix()}). It is stored encrypted and never shown again."
        )
