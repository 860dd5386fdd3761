"""The product's sections, as each app declares them for the menu and the home page.

An app lists its sections in its AppConfig as `readmit_sections`; a section shows to a
user whom its rule (a function name of `accounts.rules`) allows.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    title: str
    url_name: str
    description: str
    rule: str = "is_signed_in"


def sections_for(user, current_path: str = "") -> list[dict]:
    # Imported here: AppConfigs import this module before the models are ready.
    from readmit.accounts import rules

    shown = []
    for config in apps.get_app_configs():
        for section in getattr(config, "readmit_sections", ()):
            if not getattr(rules, section.rule)(user):
                continue
            try:
                url = reverse(section.url_name)
            except NoReverseMatch:
                continue
            shown.append(
                {
                    "title": section.title,
                    "url": url,
                    "description": section.description,
                    "is_current": bool(current_path) and current_path.startswith(url),
                }
            )
    return shown
