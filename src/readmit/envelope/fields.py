"""A model field holding a `FiscalYear`, stored as the calendar year of its 1 April."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from readmit.core.fiscal import FiscalYear


def _to_fiscal_year(value) -> FiscalYear | None:
    if value is None or value == "":
        return None
    if isinstance(value, FiscalYear):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return FiscalYear(value)
    return FiscalYear.parse(str(value))


class FiscalYearFormField(forms.CharField):
    default_error_messages = {"invalid": _("Write a fiscal year as FY2024-25.")}

    def prepare_value(self, value):
        if isinstance(value, FiscalYear):
            return value.label
        if isinstance(value, int):
            return FiscalYear(value).label
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return _to_fiscal_year(value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class FiscalYearField(models.Field):
    """FY2024-25 in Python, 2024 in the database: ordered and comparable in SQL."""

    description = _("Fiscal year")

    def get_internal_type(self):
        return "PositiveSmallIntegerField"

    def from_db_value(self, value, expression, connection):
        return None if value is None else FiscalYear(value)

    def to_python(self, value):
        try:
            return _to_fiscal_year(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Write a fiscal year as FY2024-25."), code="invalid") from None

    def get_prep_value(self, value):
        value = self.to_python(value)
        return None if value is None else value.start_year

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else value.label

    def formfield(self, **kwargs):
        return models.Field.formfield(self, form_class=FiscalYearFormField, **kwargs)
