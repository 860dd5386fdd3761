"""What every page's layout needs: the sections the user may open and the other language's URL."""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from readmit.core.sections import sections_for


def readmit(request) -> dict:
    current = translation.get_language() or settings.LANGUAGE_CODE
    other = "fr" if current.startswith("en") else "en"
    user = getattr(request, "user", None)
    return {
        "other_language_url": translate_url(request.get_full_path(), other),
        "readmit_sections": sections_for(user, request.path) if user else [],
    }
