"""Countries: ISO 3166-1 in English and French, plus the user-assigned codes a user declares."""

import pytest

from readmit.core.models import Country
from readmit.core.services import declare_countries, is_user_assigned_code


@pytest.mark.django_db
def test_iso_countries_are_there_in_english_and_french():
    germany = Country.objects.get(code="DEU")
    assert germany.name_en == "Germany"
    assert germany.name_fr == "Allemagne"
    assert Country.objects.filter(is_user_assigned=False).count() >= 249


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("XAA", True),
        ("XZZ", True),
        ("QMA", True),
        ("QZZ", True),
        ("QLZ", False),
        ("AAA", False),
        ("xaa", False),
        ("XA", False),
    ],
)
def test_user_assigned_ranges(code, expected):
    assert is_user_assigned_code(code) is expected


@pytest.mark.django_db
def test_declaring_countries_creates_renames_and_leaves_unchanged(administrator):
    assert declare_countries([("XAA", "Avalonia", "")], user=administrator) == (1, 0, 0)
    assert Country.objects.get(code="XAA").name_fr == "Avalonia"
    assert declare_countries([("XAA", "Avalonia", "")], user=administrator) == (0, 0, 1)
    assert declare_countries([("XAA", "Avalonia", "Avalonie")], user=administrator) == (0, 1, 0)
    assert Country.objects.get(code="XAA").is_user_assigned


@pytest.mark.django_db
def test_countries_api_lists_reference_data(api_as, viewer):
    response = api_as(viewer).get("/api/v1/countries/DEU/")
    assert response.status_code == 200
    assert response.json()["name_fr"] == "Allemagne"
