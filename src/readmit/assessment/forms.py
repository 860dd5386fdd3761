"""Forms of the assessment pages: parameters of an assessment, a methodology version, the
RWG's decision on a proposal. They read and check input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from readmit.assessment import ratings
from readmit.assessment.figures import Window, window_from
from readmit.assessment.models import Methodology
from readmit.core.errors import DomainError

CLASSIFICATIONS = (
    (ratings.RECALCITRANT, _("Recalcitrant")),
    (ratings.AT_RISK, _("At risk")),
    (ratings.COOPERATIVE, _("Cooperative")),
    (ratings.INSUFFICIENT_DATA, _("Insufficient data")),
)


class ParametersForm(forms.Form):
    """from / to / as_of / methodology, every field optional (the contract's defaults)."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    as_of = forms.DateField(label=_("As of"), required=False)
    methodology = forms.ChoiceField(label=_("Methodology"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methodology"].choices = [("", _("Default"))] + [
            (version, version) for version in Methodology.objects.values_list("version", flat=True)
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["window"] = window_from(
                date_from=cleaned.get("date_from"),
                date_to=cleaned.get("date_to"),
                as_of=cleaned.get("as_of"),
            )
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return cleaned

    @property
    def window(self) -> Window:
        return self.cleaned_data["window"]


def parameters_from(data) -> tuple[ParametersForm, Window | None, str | None]:
    """A bound form from query parameters (from, to, as_of, methodology) and its window."""
    form = ParametersForm(
        {
            "date_from": data.get("from", ""),
            "date_to": data.get("to", ""),
            "as_of": data.get("as_of", ""),
            "methodology": data.get("methodology", ""),
        }
    )
    if not form.is_valid():
        return form, None, None
    return form, form.window, form.cleaned_data["methodology"] or None


class RunForm(forms.Form):
    """A run to save: the parameters, and optionally some countries."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    as_of = forms.DateField(label=_("As of"), required=False)
    methodology = forms.CharField(label=_("Methodology"), required=False)
    countries = forms.CharField(
        label=_("Countries (codes separated by spaces or commas; empty for all)"), required=False
    )

    def clean_countries(self) -> list[str]:
        text = self.cleaned_data.get("countries") or ""
        return [code for code in text.replace(",", " ").upper().split() if code]


class MethodologyForm(forms.Form):
    """A new version: its name, description and every threshold (defaults prefilled)."""

    version = forms.CharField(label=_("Version"), max_length=50)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    make_default = forms.BooleanField(label=_("Make it the default"), required=False)

    FIELD_LABELS = {
        "issuance_green": _("Issuance rate at least this is green"),
        "issuance_amber": _("Issuance rate at least this is amber"),
        "timeliness_green": _("Share issued within the horizon at least this is green"),
        "timeliness_amber": _("Share issued within the horizon at least this is amber"),
        "responsiveness_green": _("Overdue share at most this is green"),
        "responsiveness_amber": _("Overdue share at most this is amber"),
        "returns_green": _("Return rate at least this is green"),
        "returns_amber": _("Return rate at least this is amber"),
        "minimum_eligible": _("Fewer eligible requests than this: insufficient data"),
        "timeliness_horizon_days": _("Timeliness horizon (days)"),
        "overdue_after_days": _("Pending longer than this is overdue (days)"),
        "unwilling_refusal_rate": _("Refusal rate at least this: unwilling"),
        "unable_refusal_rate": _("Refusal rate below this (and issuance high enough): unable"),
        "unable_issuance_rate": _("Issuance rate at least this for unable"),
        "confidence_z": _("z of the interval (95% by default)"),
    }
    INTEGER_FIELDS = ("minimum_eligible", "timeliness_horizon_days", "overdue_after_days")

    def __init__(self, *args, based_on: ratings.Thresholds = ratings.READMIT_2026_1, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = based_on.to_dict()
        for name, label in self.FIELD_LABELS.items():
            field_class = forms.IntegerField if name in self.INTEGER_FIELDS else forms.FloatField
            self.fields[name] = field_class(label=label, initial=defaults[name])

    def thresholds(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELD_LABELS}

    @classmethod
    def threshold_fields(cls) -> list[str]:
        return list(cls.FIELD_LABELS)


class DecisionForm(forms.Form):
    """The RWG's decision on the current proposal for a country."""

    outcome = forms.ChoiceField(label=_("Decision"))
    decided_on = forms.DateField(label=_("Decided on"), initial=timezone.localdate)
    reference = forms.CharField(label=_("Meeting or record reference"), max_length=100)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea)
    meeting = forms.ChoiceField(label=_("RWG meeting"), required=False)

    def __init__(self, *args, outcomes=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = list(outcomes)
        self.fields["meeting"].choices = [("", _("None"))] + [
            (str(meeting.pk), str(meeting)) for meeting in meetings
        ]
