"""Template access to `accounts.rules`: `{% if request.user|may:"can_ingest_data" %}`."""

from django import template

from readmit.accounts import rules

register = template.Library()


@register.filter
def may(user, rule_name: str) -> bool:
    rule = getattr(rules, rule_name)
    return bool(rule(user))


@register.filter
def may_view(user, record) -> bool:
    return rules.can_view_record(user, record)
