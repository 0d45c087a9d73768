"""Forms of the company configuration pages (admins only)."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models.functions import Lower

from components import component

from .models import MONTHS, TIME_ZONES, WEEKDAYS, Organization, Period, StrategicTheme
from .periods import overlapping

TEXT_LIMIT = 20_000


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["vision", "mission", "strategy"]
        help_texts = {
            "vision": "Where the company is going. Markdown: **bold**, lists, links.",
            "mission": "Why the company exists (optional). Markdown.",
            "strategy": "How you will get there; objectives should follow from it. Markdown.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].validators.append(MaxLengthValidator(TEXT_LIMIT))
            self.fields[name].widget.attrs.update({"rows": 6, "maxlength": TEXT_LIMIT})


class ThemeForm(forms.ModelForm):
    class Meta:
        model = StrategicTheme
        fields = ["name", "description", "colour"]
        widgets = {
            "colour": forms.TextInput(attrs={"type": "color"}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["description"].validators.append(MaxLengthValidator(2000))

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError("Give the theme a name.")
        clash = StrategicTheme.objects.for_org(self.org).annotate(lname=Lower("name"))
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.filter(lname=name.lower()).exists():
            raise forms.ValidationError("There is already a theme with this name.")
        return name


class _PeriodDatesMixin:
    """End on or after start; no overlap with another period of the same kind."""

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        kind = data.get("kind") or getattr(self.instance, "kind", None)
        if start and end and end < start:
            self.add_error("end", "The end must be on or after the start.")
        elif start and end and kind:
            clash = overlapping(
                self.org, kind=kind, start=start, end=end, exclude_pk=self.instance.pk
            ).first()
            if clash is not None:
                self.add_error(
                    "start",
                    f"These dates overlap “{clash.name}” ({clash.start:%d %b %Y} to "
                    f"{clash.end:%d %b %Y}); periods of the same kind may not overlap.",
                )
        return data


class PeriodEditForm(_PeriodDatesMixin, forms.ModelForm):
    class Meta:
        model = Period
        fields = ["name", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"end": "The last day of the period (inclusive)."}

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org


class PeriodCreateForm(PeriodEditForm):
    class Meta(PeriodEditForm.Meta):
        fields = ["kind", "name", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose a kind…"), *Period.Kind.choices]


class FiscalYearForm(forms.Form):
    fiscal_year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        label="Fiscal year",
        help_text="Creates the year and its 4 quarters, from the fiscal-year start month.",
    )
    months = forms.BooleanField(
        required=False,
        label="With months",
        help_text="Also create the year's 12 months (only if your teams set monthly objectives).",
    )


# The zones as a select shows them: "America/New_York" reads "America/New York".
TIME_ZONE_CHOICES = [(zone, zone.replace("_", " ")) for zone in TIME_ZONES]


class TimeZoneSelect(forms.Select):
    """The ~600 zones as one ``<select>`` (``components/fields.jinja``): Django's widget
    renders each option through a template of its own. ``data-detect-time-zone`` lets
    static/js/timezone.js pick the browser's zone (sign-up, before anything was typed)."""

    def render(self, name, value, attrs=None, renderer=None):
        return component("fields.select")(
            name=name,
            attrs=self.build_attrs(self.attrs, attrs),
            choices=TIME_ZONE_CHOICES,
            chosen={str(value or "")},
        )


def time_zone_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(zone, zone) for zone in TIME_ZONES],
        initial="UTC",
        label="Time zone",
        help_text="Reminders, check-in times and “today” follow it.",
        widget=TimeZoneSelect,
        error_messages={"invalid_choice": "Choose a time zone from the list."},
        **kwargs,
    )


def fiscal_month_field(**kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=MONTHS,
        coerce=int,
        initial=1,
        label="Fiscal year starts in",
        error_messages={"invalid_choice": "Choose a month from the list."},
        **kwargs,
    )


class CompanySettingsForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Company name",
        error_messages={"required": "Give the company a name."},
    )
    time_zone = time_zone_field()
    fiscal_year_start_month = fiscal_month_field(
        help_text="Existing periods stay as they are; fiscal years you generate from now on "
        "start in this month."
    )
    week_start = forms.TypedChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        label="Week starts on",
        error_messages={"invalid_choice": "Choose a day from the list."},
    )
    review_required = forms.BooleanField(
        required=False,
        label="Review objectives before they are published",
        help_text="Publishing a team or individual objective then submits it: a manager of its "
        "team (or of its owner) approves it or asks for changes with a comment, and the "
        "submitter is told. Admins and company objectives publish at once.",
    )
    alignment_requests = forms.BooleanField(
        required=False,
        label="Ask before aligning to someone else's objective",
        help_text="Aligning to an objective you do not own then asks its owner, who accepts or "
        "declines from their inbox; until then the link shows as pending and counts nowhere.",
    )


class CompanyDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        max_length=200,
        label="Type the company's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
