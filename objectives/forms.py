"""Forms for objectives and key results. Every choice is built from the current company,
so an id of another company is a field error, never a lookup."""

import functools
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q, Value
from django.forms import formset_factory

from components import component
from organizations.clock import company_today
from organizations.models import Membership, Period, StrategicTheme, Team, TeamMembership
from organizations.periods import period_groups

from .models import KeyResult, Objective
from .permissions import (
    CLOSED_MESSAGE,
    SELF_GRANT_REFUSED,
    can_create_objective,
    visible_objectives,
)
from .services import KR_CHECKIN_FIELDS, KR_FIELDS

STALE_FORM_MESSAGE = "This form is out of date. Open the edit page again to see what is saved."
CONFLICT_MESSAGE = (
    "Someone saved this {noun} after you opened this form, so your changes are not saved yet. "
    "They are kept below; where the saved {noun} now differs, its value is shown beside the "
    "field. Save again to store what the form shows."
)


def _shown(field, current, name) -> str:
    """A stored value as the person reads it in the form."""
    value = getattr(current, name)
    if value in (None, ""):
        return "(empty)"
    if isinstance(field, forms.ModelChoiceField):
        return field.label_from_instance(value)
    if current._meta.get_field(name).choices:
        return str(getattr(current, f"get_{name}_display")())
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


class EditVersionMixin:
    """An edit form carries, as a hidden field, the version of the object it was opened at.
    The service writes only the fields the form changed, and only while that version is still
    the stored one; otherwise ``show_conflict`` tells the person what changed meanwhile."""

    noun = "object"

    def add_version_field(self) -> None:
        if self.instance.pk:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=1, required=False, initial=self.instance.version
            )

    def clean(self):
        data = super().clean()
        # A hidden field's own errors show nowhere: say it for the whole form.
        if "version" in self.fields and data.get("version") is None:
            self.add_error(None, STALE_FORM_MESSAGE)
        return data

    def changed_fields(self, names) -> dict:
        """The cleaned values of the fields among ``names`` that differ from the stored ones."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in names}

    def show_conflict(self, current) -> None:
        """Keep what the person typed, show the stored value beside each field where it differs,
        and carry the stored version so that saving again stores what the form shows."""
        self.add_error(None, CONFLICT_MESSAGE.format(noun=self.noun))
        for name, field in list(self.fields.items()):
            if name == "version" or name not in self.cleaned_data:
                continue
            initial = current._meta.get_field(name).value_from_object(current)
            if field.has_changed(initial, self[name].data):
                self.add_error(name, f"Now saved: {_shown(field, current, name)}")
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(current.version)


def say_above(form, message: str) -> None:
    """A message above a form, bound or not: Django's ``add_error`` needs a bound form's
    cleaned data, so an unbound one (a page's first view) takes it in its error list."""
    if form.is_bound:
        form.add_error(None, message)
        return
    errors = form.errors  # an unbound form's: empty, and never computed again
    errors.setdefault(
        NON_FIELD_ERRORS, form.error_class(error_class="nonfield", renderer=form.renderer)
    ).append(message)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.user.get_full_name() or obj.user.email


class ParentChoiceField(forms.ModelChoiceField):
    """An objective of the queryset, or one of its key results posted as "kr:<id>" (the
    parent picker offers both): then the objective comes back with ``chosen_key_result``."""

    def label_from_instance(self, obj):
        return f"{obj.title} ({obj.get_level_display()}, {obj.period.name})"

    def to_python(self, value):
        if isinstance(value, str) and value.startswith("kr:"):
            number = value[3:]
            invalid = ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            if not number.isdigit() or int(number) > 2**63 - 1:
                raise invalid
            kr = KeyResult.objects.filter(
                pk=int(number), objective__in=self.queryset.values("pk")
            ).first()
            if kr is None:
                raise invalid
            objective = self.queryset.get(pk=kr.objective_id)
            objective.chosen_key_result = kr
            return objective
        return super().to_python(value)


def people_queryset(org):
    return Membership.objects.for_org(org).filter(is_active=True).select_related("user")


# A <select> of every person (or objective) suits a small company, not one of thousands
# (every owner field would carry them all). Above this size an owner field still accepts
# anyone of the company but lists only the people most likely meant, and a search box
# (``objectives:people-search``, htmx) finds anyone else.
FULL_LIST_MAX = 200
SUGGESTED_MAX = 50


def suggest_people(field, org, *, likely_ids, selected_ids=()) -> None:
    """Limit what ``field`` renders (not what it accepts) in large companies; the selected
    person (stored, or posted back with an error) is always among the options."""
    if people_queryset(org).count() <= FULL_LIST_MAX:
        return
    selected = {int(pk) for pk in selected_ids if str(pk or "").isdigit()}
    ids = {pk for pk in likely_ids if pk} | selected
    people = people_queryset(org).filter(pk__in=ids).order_by("user__full_name")
    field.widget.choices = [("", field.empty_label)] + [
        (m.pk, field.label_from_instance(m)) for m in people[:SUGGESTED_MAX]
    ]
    field.searchable = True


def teammate_ids(*, team_ids=(), people=()) -> list[int]:
    """People of these teams and of the teams these people are in (one query)."""
    people = [p for p in people if p]
    teams = Team.objects.filter(
        Q(pk__in=[t for t in team_ids if t]) | Q(team_memberships__membership_id__in=people)
    )
    return (
        list(
            TeamMembership.objects.filter(team__in=teams, membership__is_active=True)
            .order_by("membership_id")
            .values_list("membership_id", flat=True)
            .distinct()[: SUGGESTED_MAX * 2]
        )
        + people
    )


def grouped_period_choices(org, field) -> list:
    """A period field's choices as ``<optgroup>``s by fiscal year (current quarter first)."""
    groups, _ = period_groups(org, field.queryset)
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    return choices + [
        (label, [(p.pk, field.label_from_instance(p)) for p in rows]) for label, rows in groups
    ]


# The empty choice of each of the objective form's selects, in words.
EMPTY_LABELS = {
    "period": "Choose a period…",
    "team": "No team",
    "owner": "Nobody yet",
    "theme": "No theme",
    "parent": "Not aligned",
}
KR_OWNER_EMPTY_LABEL = "The objective's owner"
# The empty choices an owner <select> may have (objectives:people-search redraws it).
SUCCESSOR_EMPTY_LABEL = "Choose who takes them over…"
PERSON_EMPTY_LABELS = (EMPTY_LABELS["owner"], KR_OWNER_EMPTY_LABEL, SUCCESSOR_EMPTY_LABEL)


class ObjectiveForm(EditVersionMixin, forms.ModelForm):
    noun = "objective"
    parent = ParentChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label="Aligns to",
        help_text="The team or company objective this one contributes to (optional).",
    )

    class Meta:
        model = Objective
        fields = [
            "title",
            "description",
            "period",
            "level",
            "team",
            "owner",
            "theme",
            "visibility",
            "status",
            "commitment",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "commitment": forms.RadioSelect,
        }
        labels = {"commitment": "Committed or aspirational"}
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args, org, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_version_field()
        self.org = org
        self.membership = membership
        self._name_empty_choices()
        self.fields["period"].queryset = Period.objects.for_org(org).order_by("-start", "end")
        # Grouped by fiscal year, the current quarter first, past years last (read when the
        # select is drawn, so a submitted form validates without loading every period).
        self.fields["period"].choices = functools.partial(
            grouped_period_choices, org, self.fields["period"]
        )
        self.fields["team"].queryset = Team.objects.for_org(org).order_by("name")
        self.fields["team"].help_text = "For team objectives only: the team it belongs to."
        self.fields["owner"].queryset = people_queryset(org)
        self.fields[
            "owner"
        ].help_text = "The person accountable; an individual objective is theirs (defaults to you)."
        suggest_people(
            self.fields["owner"],
            org,
            likely_ids=teammate_ids(people=[membership.pk]),
            selected_ids=[
                self.instance.owner_id,
                membership.pk,
                self.data.get(self.add_prefix("owner")),
            ],
        )
        self.fields["theme"].queryset = StrategicTheme.objects.for_org(org)
        # Forms that do not show it (My OKRs' quick form) keep the default: committed.
        self.fields["commitment"].required = False
        if not self.instance.pk or self.instance.is_draft:
            # A new objective is saved as a draft or published by the button pressed, and a
            # draft is published by its "Publish" button (objectives.services.objective_publish).
            del self.fields["status"]
        else:  # once published it stays published: no way back to a draft from here
            self.fields["status"].choices = [
                choice
                for choice in Objective.Status.choices
                if choice[0] not in Objective.UNPUBLISHED
            ]
        self.fields["title"].widget.attrs.update(
            {
                "maxlength": 200,
                "autocomplete": "off",
                "placeholder": "e.g. Delight our first 100 customers",
            }
        )
        self.fields["description"].widget.attrs["placeholder"] = (
            "Why it matters and what success looks like (optional)"
        )
        parents = visible_objectives(
            Objective.objects.for_org(org).exclude(level=Objective.Level.INDIVIDUAL),
            membership,
        ).select_related("period")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["parent"].initial = self.instance.parent_id
        self.fields["parent"].queryset = parents.order_by("-period__start", "level", "title")
        self._suggest_parents(parents)

    # The form's fields in sections, each under a legend (objective_form.html).
    SECTIONS = (
        ("What you want to achieve", ("title", "description", "commitment")),
        ("When and whose", ("period", "level", "team", "owner")),
        ("Alignment and visibility", ("parent", "theme", "visibility", "status")),
    )

    @property
    def sections(self):
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.SECTIONS
        ]

    def _name_empty_choices(self) -> None:
        """Each select's empty choice says what it means, never Django's "---------"."""
        for name, label in EMPTY_LABELS.items():
            self.fields[name].empty_label = label
        self.fields["level"].choices = [("", "Choose a level…"), *Objective.Level.choices]

    def _suggest_parents(self, parents) -> None:
        """In a large company list only likely parents (company objectives and those of my
        teams, of periods not over yet); the alignment picker searches the rest (htmx)."""
        if parents.count() <= FULL_LIST_MAX:
            return
        field = self.fields["parent"]
        prefilled = self.initial.get("parent")  # e.g. "write a supporting objective"
        chosen = {
            self.instance.parent_id,
            self.data.get(self.add_prefix("parent")),
            getattr(prefilled, "pk", prefilled),
        }
        chosen = {int(pk) for pk in chosen if str(pk or "").isdigit()}
        my_teams = TeamMembership.objects.filter(membership=self.membership).values("team_id")
        likely = list(
            parents.filter(
                Q(pk__in=chosen)
                | (
                    (Q(level=Objective.Level.COMPANY) | Q(team_id__in=my_teams))
                    & Q(period__end__gte=company_today(self.org))
                )
            ).order_by("-period__start", "level", "title")[:SUGGESTED_MAX]
        )
        if missing := chosen - {o.pk for o in likely}:  # the chosen one is always offered
            likely += list(parents.filter(pk__in=missing))
        field.widget.choices = [("", field.empty_label)] + [
            (o.pk, field.label_from_instance(o)) for o in likely
        ]

    def clean_title(self):
        title = (self.cleaned_data.get("title") or "").strip()
        if not title:
            raise forms.ValidationError("Give the objective a title.")
        return title

    def clean_commitment(self):
        if self.add_prefix("commitment") not in self.data:  # not on the form: as it was
            return self.instance.commitment or Objective.Commitment.COMMITTED
        return self.cleaned_data.get("commitment")

    def clean(self):
        data = super().clean()
        level, team, owner = data.get("level"), data.get("team"), data.get("owner")
        period, parent = data.get("period"), data.get("parent")
        if level == Objective.Level.TEAM and team is None and "team" not in self.errors:
            self.add_error("team", "Pick the team this objective belongs to.")
        if level and level != Objective.Level.TEAM and team is not None:
            # Without JavaScript the team shows whatever the level; say which level it needs.
            self.add_error(
                "team",
                f"Only team objectives belong to a team: choose the level “Team”, or no team "
                f"for a{'n' if level == Objective.Level.INDIVIDUAL else ''} "
                f"{Objective.Level(level).label.lower()} objective.",
            )
        if level == Objective.Level.INDIVIDUAL and owner is None:
            data["owner"] = owner = self.membership
        if level and not self.errors:
            changed = not self.instance.pk or any(
                getattr(self.instance, f"{name}_id" if name != "level" else name) != value
                for name, value in (
                    ("level", level),
                    ("team", team.pk if team else None),
                    ("owner", owner.pk if owner else None),
                )
            )
            if changed and not can_create_objective(
                self.membership, level=level, team=team, owner=owner
            ):
                self.add_error(
                    "level",
                    {
                        Objective.Level.COMPANY: "Only admins write company objectives.",
                        Objective.Level.TEAM: "Only the team's managers (or admins) write its "
                        "objectives.",
                        Objective.Level.INDIVIDUAL: "You can only write your own individual "
                        "objectives.",
                    }[level],
                )
        if not self.membership.is_admin:
            for candidate in {self.instance.period if self.instance.pk else None, period}:
                if candidate is not None and candidate.is_closed:
                    self.add_error("period", CLOSED_MESSAGE % {"period": candidate.name})
                    break
        if parent is not None and period is not None and not parent.period.contains(period):
            self.add_error(
                "parent",
                f"“{parent.title}” is set for {parent.period.name}, which does not contain "
                f"{period.name}.",
            )
        return data


class KeyResultForm(EditVersionMixin, forms.ModelForm):
    noun = "key result"

    class Meta:
        model = KeyResult
        fields = list(KR_FIELDS)
        labels = {
            "start_value": "Start",
            "target_value": "Target",
            "current_value": "Current",
            "currency_code": "Currency code",
        }
        help_texts = {
            "unit": "For increase and decrease KRs (a milestone is done or not).",
            "currency_code": "For amounts of money: three letters, such as EUR or USD.",
            "start_value": "Where it stands when you set it.",
            "target_value": "Where it should be by the end of the period.",
            "current_value": "Where it stands now (a milestone: 1 when done, 0 until then).",
            "weight": "How much this KR counts in the objective's progress (default 1).",
        }
        field_classes = {"owner": PersonChoiceField}

    # The kinds measured from a start to a target (kr_form.html shows the unit, start and
    # target with them only; a milestone is done or not).
    METRIC_KINDS = " ".join(k for k in KeyResult.Kind.values if k != KeyResult.Kind.MILESTONE)

    def __init__(self, *args, org, objective, membership, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Once it exists, only check-ins move its value and confidence: a form opened
            # before a check-in must not put the old ones back.
            for name in KR_CHECKIN_FIELDS:
                del self.fields[name]
        self.add_version_field()
        self.objective = objective
        self.membership = membership
        self.fields["owner"].queryset = people_queryset(org)
        self.fields["owner"].required = False
        self.fields["owner"].help_text = "Defaults to the objective's owner."
        self.fields["owner"].empty_label = KR_OWNER_EMPTY_LABEL
        if not self.instance.pk:
            self.fields["owner"].initial = objective.owner_id
        suggest_people(
            self.fields["owner"],
            org,
            likely_ids=teammate_ids(
                team_ids=[objective.team_id], people=[objective.owner_id, membership.pk]
            ),
            selected_ids=[
                self.instance.owner_id,
                objective.owner_id,
                self.data.get(self.add_prefix("owner")),
            ],
        )
        self.fields["title"].widget.attrs.update(
            {
                "maxlength": 200,
                "autocomplete": "off",
                "placeholder": "e.g. Raise weekly active teams from 40 to 60",
            }
        )
        self.fields["currency_code"].widget.attrs.update(
            {"maxlength": 3, "size": 4, "placeholder": "EUR", "autocomplete": "off"}
        )
        for name in ("start_value", "target_value", "current_value", "weight"):
            if name in self.fields:
                self.fields[name].widget.attrs["step"] = "any"
        self.fields["start_value"].widget.attrs["placeholder"] = "e.g. 40"
        self.fields["target_value"].widget.attrs["placeholder"] = "e.g. 60"

    def clean_title(self):
        title = (self.cleaned_data.get("title") or "").strip()
        if not title:
            raise forms.ValidationError("Give the key result a title.")
        return title

    def clean_currency_code(self):
        return (self.cleaned_data.get("currency_code") or "").strip().upper()

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        if weight is not None and weight <= 0:
            raise forms.ValidationError("The weight must be more than 0.")
        return weight

    def clean(self):
        data = super().clean()
        if not self.membership.is_admin and self.objective.period.is_closed:
            raise forms.ValidationError(CLOSED_MESSAGE % {"period": self.objective.period.name})
        kind, unit = data.get("kind"), data.get("unit")
        start, target = data.get("start_value"), data.get("target_value")
        if kind != KeyResult.Kind.MILESTONE and start is not None and start == target:
            self.add_error("target_value", "The target must differ from the start.")
        measured = start is not None and target is not None and start != target
        if measured and kind == KeyResult.Kind.INCREASE and target < start:
            self.add_error("target_value", "To increase, the target must be above the start.")
        if measured and kind == KeyResult.Kind.DECREASE and target > start:
            self.add_error("target_value", "To decrease, the target must be below the start.")
        code = data.get("currency_code", "")
        measured_kind = kind != KeyResult.Kind.MILESTONE  # a milestone has no unit
        if (
            measured_kind
            and unit == KeyResult.Unit.CURRENCY
            and (len(code) != 3 or not code.isalpha())
        ):
            self.add_error("currency_code", "Give a three-letter currency code, such as EUR.")
        if data.get("owner") is None:
            data["owner"] = self.objective.owner
        return data

    def _post_clean(self):
        # Milestones are done (1) or not (0) whatever was typed for start/target.
        if self.cleaned_data.get("kind") == KeyResult.Kind.MILESTONE:
            self.cleaned_data["start_value"] = Decimal(0)
            self.cleaned_data["target_value"] = Decimal(1)
            if "current_value" in self.fields:
                current = self.cleaned_data.get("current_value") or 0
                self.cleaned_data["current_value"] = Decimal(1 if current >= 1 else 0)
        self.instance.org_id = self.objective.org_id
        self.instance.objective = self.objective
        super()._post_clean()


class QuickKeyResultForm(forms.Form):
    """One row of the "new objective" form: a KR in three fields. Blank rows are skipped."""

    title = forms.CharField(
        max_length=200,
        required=False,
        label="Key result",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Sign 10 paying customers"}),
    )
    start_value = forms.DecimalField(
        max_digits=18, decimal_places=4, required=False, label="From", initial=0
    )
    target_value = forms.DecimalField(max_digits=18, decimal_places=4, required=False, label="To")

    def clean(self):
        data = super().clean()
        title = (data.get("title") or "").strip()
        data["title"] = title
        if not title:
            return data
        start = data.get("start_value")
        target = data.get("target_value")
        if start is None:
            data["start_value"] = start = Decimal(0)
        if target is None and "target_value" not in self.errors:
            self.add_error("target_value", "Give a target.")
        elif target is not None and target == start:
            self.add_error("target_value", "The target must differ from the start.")
        return data

    def key_result_data(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        start, target = data["start_value"], data["target_value"]
        kind = KeyResult.Kind.INCREASE if target > start else KeyResult.Kind.DECREASE
        return {
            "title": data["title"],
            "start_value": start,
            "target_value": target,
            "current_value": start,
            "kind": kind,
        }


QuickKeyResultFormSet = formset_factory(QuickKeyResultForm, extra=3, max_num=10)


class ConfidenceForm(forms.Form):
    confidence = forms.ChoiceField(choices=KeyResult.Confidence.choices, label="Confidence")


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class GranteeChoiceField(PersonChoiceField):
    """Anyone of the company but the person sharing: nobody gives themselves access."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def to_python(self, value):
        if self.actor is not None and str(value) == str(self.actor.pk):
            raise forms.ValidationError(SELF_GRANT_REFUSED, code="self_grant")
        return super().to_python(value)


def _grantees(org, actor):
    return people_queryset(org).exclude(pk=actor.pk).order_by("user__full_name")


class ShareForm(forms.Form):
    person = GranteeChoiceField(
        queryset=Membership.objects.none(), label="Person", empty_label="Choose a person…"
    )
    co_owner = forms.BooleanField(
        required=False, label="Co-owner (may edit the objective and its key results)"
    )

    def __init__(self, *args, org, actor, may_co_own: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _grantees(org, actor)
        self.fields["person"].actor = actor
        if not may_co_own:  # not offered; a forged "on" still reaches the service, which refuses
            self.fields["co_owner"].widget = forms.HiddenInput()


class ContributorForm(forms.Form):
    """Let someone check in on one key result without co-owning the objective."""

    contributor = GranteeChoiceField(
        queryset=Membership.objects.none(), label="Person", empty_label="Choose a person…"
    )
    key_result = forms.ModelChoiceField(
        queryset=KeyResult.objects.none(), label="Key result", empty_label="Choose a key result…"
    )

    def __init__(self, *args, org, actor, objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contributor"].queryset = _grantees(org, actor)
        self.fields["contributor"].actor = actor
        self.fields["key_result"].queryset = KeyResult.objects.for_org(org).filter(
            objective=objective
        )


class PeriodSwitchForm(forms.Form):
    period = forms.ModelChoiceField(queryset=Period.objects.none(), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.for_org(org)


class LeanSelect(forms.Select):
    """A ``<select>`` drawn by ``components/fields.jinja`` in one macro call. Django's widget
    renders every option through a template of its own, which costs a filter bar of 300
    teams tens of milliseconds."""

    # Its options are plain ``(value, label)`` pairs: Django's setter would walk each of
    # hundreds of them looking for option groups, on every request.
    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value

    def render(self, name, value, attrs=None, renderer=None):
        return component("fields.select")(
            name=name,
            attrs=self.build_attrs(self.attrs, attrs),
            choices=self.choices,
            chosen=set(self.format_value(value)),
        )


class LeanTextInput(forms.TextInput):
    """A text ``<input>`` drawn by ``components/fields.jinja``, as ``LeanSelect``: the
    filter bar is on every visit, and Django renders each input through three templates of
    its own."""

    def render(self, name, value, attrs=None, renderer=None):
        attributes = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        if value is not None:
            attributes = {"value": value, **attributes}
        return component("fields.text_input")(type=self.input_type, name=name, attrs=attributes)


def lean_choices(field, empty_label, rows) -> None:
    """Options from ``(pk, label)`` rows (no model instances); the field's queryset still
    validates what is submitted."""
    field.empty_label = empty_label
    field.widget = LeanSelect()
    field.widget.choices = [("", empty_label), *rows]


class ExploreForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search", widget=LeanTextInput)
    period = forms.ModelChoiceField(queryset=Period.objects.none(), required=False)
    level = forms.ChoiceField(
        choices=[("", "Any level")] + Objective.Level.choices, required=False, widget=LeanSelect
    )
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)
    # A name to search, not a <select> of every person: companies have thousands of people.
    owner = forms.CharField(
        required=False,
        max_length=150,
        label="Owner",
        widget=LeanTextInput(attrs={"placeholder": "Name or e-mail"}),
    )
    theme = forms.ModelChoiceField(queryset=StrategicTheme.objects.none(), required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status")] + Objective.Status.choices, required=False, widget=LeanSelect
    )
    confidence = forms.ChoiceField(
        choices=[("", "Any confidence")] + KeyResult.Confidence.choices,
        required=False,
        help_text="Objectives with at least one key result in this state.",
        widget=LeanSelect,
    )
    alignment = forms.ChoiceField(
        choices=[
            ("", "Aligned or not"),
            ("aligned", "Aligned to an objective"),
            ("unaligned", "Not aligned (team and individual)"),
        ],
        required=False,
        widget=LeanSelect,
    )

    def __init__(self, *args, org, periods=None, **kwargs):
        """``periods``: the company's periods if the page loaded them already."""
        super().__init__(*args, **kwargs)
        queryset = Period.objects.for_org(org).order_by("-start", "end")
        teams = Team.objects.for_org(org).order_by("name")
        themes = StrategicTheme.objects.for_org(org)
        self.fields["period"].queryset = queryset
        self.fields["team"].queryset = teams
        self.fields["theme"].queryset = themes
        if periods is not None:  # validated against the list the page has, no query
            groups, _ = period_groups(org, periods)  # by fiscal year, the current quarter first
            self.fields["period"] = forms.TypedChoiceField(
                choices=[
                    ("", "Any period"),
                    *((label, [(p.pk, p.name) for p in rows]) for label, rows in groups),
                ],
                coerce=int,
                empty_value=None,
                required=False,
                label="Period",
                widget=LeanSelect,
            )
        else:
            lean_choices(self.fields["period"], "Any period", queryset.values_list("pk", "name"))
        # The team and theme options in one query.
        options = {"team": [], "theme": []}
        # The parts of a UNION carry no ordering of their own (SQLite refuses it).
        rows = (
            teams.order_by()
            .annotate(kind=Value("team"))
            .values_list("kind", "pk", "name")
            .union(
                themes.order_by().annotate(kind=Value("theme")).values_list("kind", "pk", "name"),
                all=True,
            )
            .order_by("kind", "name")
        )
        for kind, pk, name in rows:
            options[kind].append((pk, name))
        lean_choices(self.fields["team"], "Any team", options["team"])
        lean_choices(self.fields["theme"], "Any theme", options["theme"])


class PublishGatesForm(forms.Form):
    """The writing coach's rules an objective must pass to be published."""

    gates = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Required to publish",
        help_text="Objectives that break a ticked rule cannot be published until it is fixed; "
        "the other hints only advise. Look-alike objectives are always a question, never a "
        "block.",
        error_messages={"invalid_choice": "Choose rules from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .coach import GATEABLE, RULES

        self.fields["gates"].choices = [(key, RULES[key].label) for key in GATEABLE]


class PersonLeavesForm(forms.Form):
    """What happens to a leaving person's OKRs of open periods (``membership_offboard``).
    The successor field is called ``owner`` so the people search of large companies
    (``objectives:people-search``) redraws it."""

    REASSIGN, ARCHIVE = "reassign", "archive"
    okrs = forms.ChoiceField(
        choices=[
            (REASSIGN, "Give them to another person"),
            (ARCHIVE, "Archive them"),
        ],
        widget=forms.RadioSelect,
        label="Their objectives and key results of open periods",
        help_text="Archiving marks their own objectives abandoned (still theirs), leaves "
        "their team and company objectives without an owner, and gives key results they own "
        "on other objectives to that objective's owner. Closed periods stay as they are.",
    )
    owner = PersonChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Give them to",
        empty_label=SUCCESSOR_EMPTY_LABEL,
        help_text="An active person of the company; applies when you give them to someone.",
    )

    def __init__(self, *args, org, leaver, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = people_queryset(org).exclude(pk=leaver.pk).order_by("user__full_name")
        likely = [pk for pk in teammate_ids(people=[leaver.pk]) if pk != leaver.pk]
        suggest_people(field, org, likely_ids=likely, selected_ids=[self.data.get("owner")])

    def clean(self):
        data = super().clean()
        if data.get("okrs") == self.REASSIGN and not data.get("owner"):
            self.add_error("owner", "Choose who takes them over.")
        return data

    @property
    def successor(self):
        """The chosen person, or None to archive."""
        if self.cleaned_data["okrs"] == self.REASSIGN:
            return self.cleaned_data["owner"]
        return None


class ReviewForm(forms.Form):
    """A reviewer's decision on a submitted objective: the button pressed, and what should
    change (required to ask for changes: ``services.objective_review`` says so)."""

    APPROVE, CHANGES = "approve", "changes"
    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (CHANGES, "Ask for changes")],
        error_messages={"invalid_choice": "Approve it or ask for changes."},
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="What should change",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
        help_text="Needed to ask for changes; its owner reads it in an e-mail.",
    )
