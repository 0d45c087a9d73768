from django import forms

from objectives.forms import (
    FULL_LIST_MAX,
    PersonChoiceField,
    lean_choices,
    people_queryset,
    suggest_people,
    teammate_ids,
)
from organizations.models import Membership, Team

from .models import Dependency

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter a date, like 2026-12-31.", "required": "Say by when."}


class DeclareForm(forms.Form):
    what = forms.CharField(
        label="What do you need?",
        max_length=Dependency.WHAT_MAX,
        strip=True,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "e.g. The Q1 campaign budget signed off"}
        ),
        error_messages={
            "required": "Say what you need.",
            "max_length": f"Keep it under {Dependency.WHAT_MAX} characters (%(show_value)s now).",
        },
    )
    from_team = forms.ModelChoiceField(
        label="From a team",
        queryset=Team.objects.none(),
        required=False,
        empty_label="— no team —",
        error_messages={"invalid_choice": "Pick a team of the list."},
    )
    from_person = PersonChoiceField(
        label="or from a person",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="— nobody in particular —",
        error_messages={"invalid_choice": "Pick a person of the list."},
    )
    needed_by = forms.DateField(label="Needed by", widget=DATE_WIDGET, error_messages=DATE_ERRORS)
    key_result = forms.ModelChoiceField(
        label="For the key result",
        queryset=None,
        required=False,
        empty_label="— the objective as a whole —",
        error_messages={"invalid_choice": "Pick one of this objective's key results."},
    )

    def __init__(self, *args, org, objective, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.for_org(org).order_by("name")
        self.fields["from_team"].queryset = teams
        # Hundreds of teams in a large company: one macro call draws the select, from
        # (id, name) rows; the queryset still validates what is posted.
        lean_choices(self.fields["from_team"], "— no team —", teams.values_list("pk", "name"))
        person = self.fields["from_person"]
        person.queryset = people_queryset(org).order_by("user__full_name")
        # A large company lists the objective's team's people (anyone of the company is still
        # accepted); the owner search box of the objective form names its field "owner", so
        # this field has none: ask the person's team instead.
        if person.queryset.count() > FULL_LIST_MAX:
            suggest_people(
                person,
                org,
                likely_ids=teammate_ids(team_ids=[objective.team_id], people=[objective.owner_id]),
                selected_ids=[self.data.get("from_person")] if self.is_bound else [],
            )
        if getattr(person, "searchable", False):
            person.searchable = False
            person.help_text = (
                "The people of this objective's team; for anyone else, ask their team."
            )
        self.fields["key_result"].queryset = objective.key_results.order_by("position", "id")

    def clean(self):
        data = super().clean()
        if data.get("from_team") and data.get("from_person"):
            self.add_error("from_team", "Ask one team or one person, not both.")
        elif (
            "from_team" in data
            and "from_person" in data
            and not (data["from_team"] or data["from_person"])
        ):
            self.add_error("from_team", "Pick the team or the person you need it from.")
        return data


class AnswerForm(forms.Form):
    ACKNOWLEDGE, PROPOSE, DECLINE = "acknowledge", "propose", "decline"
    reply = forms.ChoiceField(
        label="Your answer",
        choices=[
            (ACKNOWLEDGE, "We will deliver it by the date asked"),
            (PROPOSE, "We can, but by another date"),
            (DECLINE, "We cannot"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Pick an answer.",
            "invalid_choice": "Pick one of the answers offered.",
        },
    )
    proposed_date = forms.DateField(
        label="The date you propose",
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    answer = forms.CharField(
        label="A word for them",
        required=False,
        max_length=Dependency.ANSWER_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": f"Keep it under {Dependency.ANSWER_MAX} characters (%(show_value)s now)."
        },
    )

    def clean(self):
        data = super().clean()
        proposing = data.get("reply") == self.PROPOSE
        if proposing and not data.get("proposed_date") and "proposed_date" not in self.errors:
            self.add_error("proposed_date", "Say which date you propose.")
        return data
