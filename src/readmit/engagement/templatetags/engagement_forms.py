"""`{% gcds_field form.name %}`: a Django form field drawn as a GC Design System component."""

import json

from django import forms, template

register = template.Library()


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.NumberInput):
        return "number"
    return "input"


@register.inclusion_tag("engagement/partials/field.html")
def gcds_field(field: forms.BoundField, label: str = ""):
    value = field.value()
    kind = _kind(field)
    context = {
        "field": field,
        "kind": kind,
        "id": field.auto_id or f"id_{field.html_name}",
        "label": label or field.label,
        "hint": field.help_text,
        "error": " ".join(str(e) for e in field.errors),
        "required": field.field.required,
        "value": "" if value is None else value,
    }
    if kind == "select":
        selected = "" if value is None else str(value)
        context["options"] = [
            {"value": str(v), "label": str(label_), "selected": str(v) == selected}
            for v, label_ in getattr(field.field, "choices", None) or field.field.widget.choices
        ]
    if kind == "checkboxes":
        checked = {str(v) for v in (value or [])}
        context["options_json"] = json.dumps(
            [
                {
                    "id": f"{field.html_name}-{choice.data['value']}",
                    "label": str(choice.choice_label),
                    "value": str(choice.data["value"]),
                    "checked": str(choice.data["value"]) in checked,
                }
                for choice in field.subwidgets
            ]
        )
        context["value_json"] = json.dumps(sorted(checked))
    return context
