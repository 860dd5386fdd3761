"""The upload form of the ingest page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class IngestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of file"),
        help_text=_("What the file holds, as the data contract defines it."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or XLSX (first sheet); the first row names the columns."),
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Choose a kind of file")), *kinds]
