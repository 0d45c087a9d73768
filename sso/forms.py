from django import forms

from .domains import normalise


class SsoConfigForm(forms.Form):
    issuer = forms.URLField(
        max_length=300,
        assume_scheme="https",
        label="Issuer URL",
        help_text="Your identity provider's issuer, e.g. https://login.example.com/realms/acme "
        "(Aligned reads its /.well-known/openid-configuration).",
        widget=forms.URLInput(attrs={"placeholder": "https://login.example.com"}),
    )
    client_id = forms.CharField(max_length=255, label="Client ID")
    client_secret = forms.CharField(
        max_length=1000,
        required=False,
        strip=False,
        label="Client secret",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    email_domain = forms.CharField(
        max_length=253,
        label="Company e-mail domain",
        help_text="People with an address on it join as members on their first sign-in.",
    )
    enabled = forms.BooleanField(
        required=False, initial=True, label="Let people sign in with single sign-on"
    )
    sso_only = forms.BooleanField(
        required=False,
        label="Only through single sign-on",
        help_text="Members with an address on the domain can no longer use a password. "
        "Admins still can, so someone can always fix the configuration.",
    )

    def __init__(self, *args, has_secret=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_secret:
            self.fields[
                "client_secret"
            ].help_text = "Stored encrypted and never shown. Leave empty to keep it."

    def clean_email_domain(self):
        domain = normalise(self.cleaned_data["email_domain"])
        if "." not in domain or "@" in domain or " " in domain:
            raise forms.ValidationError("Enter a domain such as acme.com (no “@”).")
        return domain


class SsoFindForm(forms.Form):
    company_or_email = forms.CharField(
        max_length=254,
        label="Your work e-mail or your company's address",
        help_text="e.g. ada@acme.com, or acme",
        widget=forms.TextInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_company_or_email(self):
        return self.cleaned_data["company_or_email"].strip().lower()
