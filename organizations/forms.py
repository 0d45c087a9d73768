"""Forms of the company-administration pages. Every choice is built from the current
company, so an id of another company is a form error, never a lookup."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import NewPasswordMixin

from .models import Membership, Team


def add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the matching field, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class InviteForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@company.com"}),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.for_org(org).order_by("name")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=120, widget=forms.TextInput(attrs={"placeholder": "e.g. Marketing"})
    )
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="None (a top-level team)"
    )

    def __init__(self, *args, org, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Team.objects.for_org(org).order_by("name")
        self.fields["parent"].queryset = parents
        self.fields["parent"].label = "Parent team"


class TeamMemberAddForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(), label="Person", empty_label="Choose a person…"
    )
    is_manager = forms.BooleanField(required=False, label="Manager of this team")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = candidates
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} <{m.user.email}>"
        )


class TeamMemberChangeForm(forms.Form):
    """Toggle manager / remove one person already in the team."""

    ACTIONS = [("manager", "Make manager"), ("unmanager", "Not manager"), ("remove", "Remove")]

    membership = forms.ModelChoiceField(queryset=Membership.objects.none())
    action = forms.ChoiceField(choices=ACTIONS)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = Membership.objects.for_org(org)


class AcceptInvitationForm(NewPasswordMixin):
    """A new person picks their name and password; the e-mail is the invited one."""

    full_name = forms.CharField(max_length=150, label="Your name")
    field_order = ["full_name", "password"]

    def __init__(self, *args, email, **kwargs):
        self.invited_email = email
        super().__init__(*args, **kwargs)

    def clean_password(self):
        self.cleaned_data.setdefault("email", self.invited_email)
        return super().clean_password()
