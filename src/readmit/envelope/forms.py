"""The envelope's forms: what a page accepts before a service decides."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.core.fiscal import FiscalYear
from readmit.core.security import SecurityLevel
from readmit.envelope.fields import FiscalYearFormField
from readmit.envelope.models import (
    AmendmentKind,
    FundingType,
    InitiativeType,
    ProjectStatus,
    RiskRating,
)

MONEY = {"max_digits": 15, "decimal_places": 2}


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Date paid"), help_text=_("YYYY-MM-DD"))
    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), **MONEY)
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        required=False,
        help_text=_("The financial system's document number, for reconciliation."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)


class AmendmentForm(forms.Form):
    """An amendment, with one change field per fiscal year it may touch."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AmendmentKind.choices)
    approving_authority = forms.CharField(
        label=_("Approving authority"),
        max_length=200,
        help_text=_("For example: Department of Finance, Treasury Board."),
    )
    approved_on = forms.DateField(label=_("Approved on"), help_text=_("YYYY-MM-DD"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)
    new_end_fiscal_year = FiscalYearFormField(
        label=_("New last fiscal year"),
        required=False,
        help_text=_("For an extension only, for example FY2024-25."),
    )

    def __init__(self, *args, years: list[FiscalYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        for year in years:
            self.fields[self.change_field(year)] = forms.DecimalField(
                label=_("Change to %(year)s") % {"year": year.label},
                required=False,
                help_text=_("Positive adds authority, negative removes it."),
                **MONEY,
            )

    @staticmethod
    def change_field(year: FiscalYear) -> str:
        return f"change_{year.start_year}"

    def change_fields(self):
        return [(year, self[self.change_field(year)]) for year in self.years]

    def changes(self) -> dict[FiscalYear, object]:
        return {
            year: self.cleaned_data[self.change_field(year)]
            for year in self.years
            if self.cleaned_data.get(self.change_field(year))
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(value, label) for value, label in ProjectStatus.choices if value != "pipeline"],
    )
    on = forms.DateField(label=_("Date"), required=False, help_text=_("YYYY-MM-DD; default today"))
    reason = forms.CharField(label=_("Reason"), required=False)


class ProjectForm(forms.Form):
    """A project with its schedule (one amount per envelope year) and, for users cleared for
    targeting, its countries."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    reference = forms.CharField(label=_("Reference"), max_length=50)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_("Published in the IATI file: never name a country that is not disclosed."),
    )
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Published in the IATI file: never name a country that is not disclosed."),
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), required=False, widget=forms.Textarea
    )
    initiative_types = forms.MultipleChoiceField(
        label=_("Initiative types"),
        choices=InitiativeType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    funding_type = forms.ChoiceField(label=_("Grant or contribution"), choices=FundingType.choices)
    agreement_value = forms.DecimalField(
        label=_("Agreement value"), min_value=Decimal("0.01"), **MONEY
    )
    start_date = forms.DateField(label=_("Start date"), required=False)
    end_date = forms.DateField(label=_("End date"), required=False)
    expected_results = forms.CharField(
        label=_("Expected results"), required=False, widget=forms.Textarea
    )
    risk_rating = forms.ChoiceField(label=_("Risk rating"), choices=RiskRating.choices)
    security_level = forms.TypedChoiceField(
        label=_("Security level"), choices=SecurityLevel.choices, coerce=int
    )
    countries = forms.CharField(
        label=_("Target countries"),
        required=False,
        help_text=_("Country codes separated by commas, for example XAA, XBB."),
    )
    disclosed = forms.CharField(
        label=_("Countries that may be disclosed"),
        required=False,
        help_text=_("Among the target countries, those that may be made public."),
    )

    def __init__(self, *args, years: list[FiscalYear], partners, may_target: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = years
        self.fields["partner"].queryset = partners
        if not may_target:
            del self.fields["countries"]
            del self.fields["disclosed"]
        for year in years:
            self.fields[self.schedule_field(year)] = forms.DecimalField(
                label=_("Planned for %(year)s") % {"year": year.label},
                required=False,
                min_value=Decimal("0.00"),
                **MONEY,
            )

    @staticmethod
    def schedule_field(year: FiscalYear) -> str:
        return f"planned_{year.start_year}"

    def schedule_fields(self):
        return [self[self.schedule_field(year)] for year in self.years]

    def schedule(self) -> dict[FiscalYear, Decimal]:
        return {
            year: self.cleaned_data[self.schedule_field(year)]
            for year in self.years
            if self.cleaned_data.get(self.schedule_field(year))
        }

    @staticmethod
    def _codes(text: str) -> list[str]:
        return [
            code.strip().upper()
            for code in (text or "").replace(";", ",").split(",")
            if code.strip()
        ]

    def country_pairs(self) -> list[tuple[str, bool]] | None:
        if "countries" not in self.fields:
            return None
        disclosed = set(self._codes(self.cleaned_data.get("disclosed", "")))
        codes = self._codes(self.cleaned_data.get("countries", ""))
        unknown = disclosed - set(codes)
        if unknown:
            raise forms.ValidationError(
                _("%(codes)s may be disclosed only if it is a target country.")
                % {"codes": ", ".join(sorted(unknown))}
            )
        return [(code, code in disclosed) for code in codes]

    def project_fields(self) -> dict:
        names = [
            "partner",
            "title",
            "title_fr",
            "description",
            "description_fr",
            "funding_type",
            "start_date",
            "end_date",
            "expected_results",
            "risk_rating",
            "security_level",
        ]
        fields = {name: self.cleaned_data[name] for name in names}
        fields["initiative_types"] = list(self.cleaned_data["initiative_types"])
        return fields
