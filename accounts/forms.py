from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.db import transaction

from organizations.config_forms import fiscal_month_field, time_zone_field
from organizations.models import Organization

from .policy import password_refusal

User = get_user_model()


class EmailLoginForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        self.refusal = None  # a rule that refused the right password (e.g. "only SSO")
        super().__init__(*args, **kwargs)

    def clean(self):
        email = self.cleaned_data.get("email")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, email=email.lower(), password=password)
            if self.user is None:
                if self._awaits_confirmation(email, password):
                    raise forms.ValidationError(
                        "Confirm your e-mail address first: open the link in the e-mail we "
                        "sent when you signed up (or sign up again for a new one)."
                    )
                raise forms.ValidationError("That e-mail and password do not match an account.")
            # Said only to whoever knows the password, like the confirmation reminder above.
            self.refusal = password_refusal(self.user)
            if self.refusal is not None:
                self.user = None
                raise forms.ValidationError(self.refusal.message)
        return self.cleaned_data

    def _awaits_confirmation(self, email, password):
        # Said only to whoever knows the password, and never while sign-in is locked.
        if getattr(self.request, "axes_locked_out", False):
            return False
        pending = User.objects.filter(email__iexact=email, email_verified=False).first()
        return pending is not None and pending.check_password(password)


class NewPasswordMixin(forms.Form):
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password.",
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        candidate = User(
            email=self.cleaned_data.get("email", ""),
            full_name=self.cleaned_data.get("full_name", ""),
        )
        password_validation.validate_password(password, candidate)
        return password


class SignupForm(NewPasswordMixin):
    """Sign-up creates a person and a new company they administer."""

    full_name = forms.CharField(
        max_length=150,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "e.g. Ada Lovelace"}),
    )
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "you@company.com"})
    )
    org_name = forms.CharField(
        max_length=120,
        label="Company name",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Acme"}),
    )
    org_slug = forms.SlugField(
        max_length=50,
        label="Company address",
        help_text="Lower-case letters, digits and hyphens, e.g. “acme”.",
    )
    time_zone = time_zone_field()
    fiscal_year_start_month = fiscal_month_field(
        help_text="We create this fiscal year and its quarters for you; January if unsure."
    )
    field_order = [
        "full_name",
        "email",
        "password",
        "org_name",
        "org_slug",
        "time_zone",
        "fiscal_year_start_month",
    ]

    def __init__(self, *args, user=None, **kwargs):
        self.existing_user = user
        super().__init__(*args, **kwargs)
        if user is not None:
            # A signed-in person only creates another company.
            for name in ("full_name", "email", "password"):
                del self.fields[name]
        if not self.is_bound:
            # static/js/timezone.js picks the browser's zone; without JavaScript, UTC.
            self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = ""

    def clean_email(self):
        # Whether an account uses it is not said here (that would tell anyone who has an
        # account): accounts.signup answers every address alike, by e-mail.
        return self.cleaned_data["email"].lower()

    def clean_org_slug(self):
        slug = self.cleaned_data["org_slug"].lower()
        org = Organization(name="x", slug=slug)
        try:
            org.clean_fields(exclude=["name", "time_zone", "fiscal_year_start_month"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict.get("slug", exc.messages)) from exc
        if Organization.objects.filter(slug__iexact=slug).exists():
            raise forms.ValidationError("This company address is already taken; pick another.")
        return slug

    def company_details(self):
        """What the company is created with (now, or when the address is confirmed)."""
        data = self.cleaned_data
        return {
            "name": data["org_name"],
            "slug": data["org_slug"],
            "time_zone": data["time_zone"],
            "fiscal_year_start_month": int(data["fiscal_year_start_month"]),
        }

    @transaction.atomic
    def save(self):
        """A signed-in person's further company, created at once."""
        from organizations.services import organization_create

        org = organization_create(
            creator=self.existing_user, with_periods=True, **self.company_details()
        )
        return self.existing_user, org


class ConfirmSignupForm(forms.Form):
    """The password chosen at sign-up, typed again: only the person who chose it can
    confirm, so someone who signed up with another's address cannot take the account."""

    password = forms.CharField(
        strip=False,
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not the password chosen when signing up with this link."
            )
        return password


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "reminder_emails"]
        labels = {"reminder_emails": "Send me check-in reminder e-mails"}
