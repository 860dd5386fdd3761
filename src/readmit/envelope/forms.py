"""The envelope's forms: what a page accepts before a service decides."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from readmit.core.fiscal import FiscalYear
from readmit.envelope.fields import FiscalYearFormField
from readmit.envelope.models import AmendmentKind, ProjectStatus

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
