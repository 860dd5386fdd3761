"""Actions on audited records and on the country reference table.

`save_record` is the one way a domain record is written: it stamps who and when and
hands the acting user to the history. Deletion is a recorded, reversible flag.
"""

import gettext
from collections.abc import Iterable

import pycountry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from readmit.core.errors import DomainError
from readmit.core.models import AuditedRecord, Country


def save_record(record: AuditedRecord, *, user=None, reason: str = "") -> AuditedRecord:
    """Validate and save a record, stamped with the acting user, into its history."""
    if user is not None and not user.is_authenticated:
        user = None
    if record._state.adding and record.created_by_id is None:
        record.created_by = user
    record.updated_by = user
    record._history_user = user
    # The history keeps a short note (100 characters); a longer reason stays in full on the
    # record itself where the model has a field for it (e.g. deletion_reason).
    record._change_reason = reason[:100] or None
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def delete_record(record: AuditedRecord, *, user, reason: str) -> AuditedRecord:
    """Mark a record deleted, keeping it and its history; `restore_record` undoes it."""
    if record.is_deleted:
        raise DomainError(_("This record is already deleted."))
    if not reason.strip():
        raise DomainError(_("Say why the record is deleted."))
    record.deleted_at = timezone.now()
    record.deleted_by = user
    record.deletion_reason = reason
    return save_record(record, user=user, reason=reason)


@transaction.atomic
def restore_record(record: AuditedRecord, *, user, reason: str = "") -> AuditedRecord:
    if not record.is_deleted:
        raise DomainError(_("This record is not deleted; there is nothing to restore."))
    record.deleted_at = None
    record.deleted_by = None
    record.deletion_reason = ""
    return save_record(record, user=user, reason=reason or "restored")


def iso_country_names() -> dict[str, tuple[str, str]]:
    """ISO 3166-1 alpha-3 codes with their English and French names, from pycountry."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    names = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        names[country.alpha_3] = (english, french.gettext(country.name))
    return names


def is_user_assigned_code(code: str) -> bool:
    """XAA-XZZ and QMA-QZZ: codes ISO 3166 leaves to users, for fictional or test states."""
    return (
        len(code) == 3
        and code.isascii()
        and code.isalpha()
        and code.isupper()
        and (code[0] == "X" or (code[0] == "Q" and code[1] >= "M"))
    )


@transaction.atomic
def ensure_iso_countries() -> int:
    """Add the ISO 3166-1 countries that are missing; names already stored are kept."""
    existing = set(Country.all_objects.values_list("code", flat=True))
    missing = [
        Country(code=code, name_en=english, name_fr=french)
        for code, (english, french) in iso_country_names().items()
        if code not in existing
    ]
    Country.objects.bulk_create(missing)
    return len(missing)


def declare_countries(rows: Iterable[tuple[str, str, str]], *, user=None) -> tuple[int, int, int]:
    """Create or rename countries from (code, name_en, name_fr).

    Returns the counts created, updated and unchanged.
    """
    created = updated = unchanged = 0
    for code, name_en, name_fr in rows:
        country = Country.all_objects.filter(code=code).first()
        if country is None:
            save_record(
                Country(
                    code=code,
                    name_en=name_en,
                    name_fr=name_fr or name_en,
                    is_user_assigned=is_user_assigned_code(code),
                ),
                user=user,
                reason="declared",
            )
            created += 1
            continue
        if (country.name_en, country.name_fr) == (name_en, name_fr or name_en):
            unchanged += 1
            continue
        country.name_en, country.name_fr = name_en, name_fr or name_en
        save_record(country, user=user, reason="renamed")
        updated += 1
    return created, updated, unchanged
