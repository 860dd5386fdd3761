"""Audited records: who and when, full history, and deletion that can be undone."""

import pytest

from readmit.core.errors import DomainError
from readmit.core.models import Country
from readmit.core.services import delete_record, restore_record, save_record
from tests.factories import CountryFactory


@pytest.mark.django_db
def test_saving_a_record_stamps_the_user_and_keeps_history(analyst, administrator):
    country = save_record(Country(code="XQQ", name_en="Q", name_fr="Q"), user=analyst)
    country.name_en = "Qland"
    save_record(country, user=administrator, reason="renamed")

    assert country.created_by == analyst
    assert country.updated_by == administrator
    history = list(country.history.order_by("history_date"))
    assert [h.name_en for h in history] == ["Q", "Qland"]
    assert [h.history_user for h in history] == [analyst, administrator]
    assert history[-1].history_change_reason == "renamed"


@pytest.mark.django_db
def test_a_deleted_record_disappears_from_reads_and_can_be_restored(administrator):
    country = CountryFactory(code="XDD")
    delete_record(country, user=administrator, reason="declared by mistake")

    assert not Country.objects.filter(code="XDD").exists()
    kept = Country.all_objects.get(code="XDD")
    assert kept.deleted_by == administrator
    assert kept.deletion_reason == "declared by mistake"

    restore_record(kept, user=administrator)
    assert Country.objects.filter(code="XDD").exists()
    assert kept.history.count() >= 3


@pytest.mark.django_db
def test_deleting_needs_a_reason(administrator):
    country = CountryFactory(code="XDE")
    with pytest.raises(DomainError, match="why"):
        delete_record(country, user=administrator, reason=" ")


@pytest.mark.django_db
def test_restoring_a_live_record_is_refused(administrator):
    with pytest.raises(DomainError, match="not deleted"):
        restore_record(CountryFactory(code="XDF"), user=administrator)


@pytest.mark.django_db
def test_a_long_deletion_reason_is_kept_whole_on_the_record(administrator):
    reason = "Declared twice by two analysts on the same day; " * 5
    country = CountryFactory(code="XDG")
    delete_record(country, user=administrator, reason=reason)
    kept = Country.all_objects.get(code="XDG")
    assert kept.deletion_reason == reason
    assert kept.history.first().history_change_reason == reason[:100]
