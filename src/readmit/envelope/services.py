"""Every change to an envelope, its amendments, partners, projects and payments.

Each function takes keyword-only arguments and the acting user, runs in a transaction
that locks the envelope (so two officers cannot over-commit the same year at once), and
refuses with a `DomainError` whose message gives the figures. The rules it enforces are
those of docs/envelope.md; the arithmetic itself is `envelope.figures`.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from readmit.accounts import rules
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.fiscal import FiscalYear
from readmit.core.models import Country
from readmit.core.services import delete_record
from readmit.core.services import save_record as save_audited_record
from readmit.envelope import figures, ledgers
from readmit.envelope.models import (
    Amendment,
    AmendmentChange,
    AmendmentKind,
    Envelope,
    OriginalAuthority,
    Partner,
    Payment,
    PlannedPayment,
    Project,
    ProjectCountry,
    ProjectStatus,
)
from readmit.envelope.money import ZERO, format_money, to_money, total

ENVELOPE_FIELDS = {
    "name",
    "short_name",
    "programme",
    "description",
    "target_countries_min",
    "target_countries_max",
    "reporting_org_ref",
    "reporting_org_name",
    "reporting_org_type",
    "security_level",
}
PARTNER_FIELDS = {"name", "acronym", "organisation_type", "iati_identifier", "security_level"}
PROJECT_FIELDS = {
    "partner",
    "reference",
    "title",
    "title_fr",
    "description",
    "description_fr",
    "initiative_types",
    "funding_type",
    "start_date",
    "end_date",
    "expected_results",
    "risk_rating",
    "iati_identifier",
    "security_level",
    "is_need_to_know",
}


# Wording -----------------------------------------------------------------------------


def money(amount: Decimal, envelope: Envelope | None = None) -> str:
    currency = envelope.currency if envelope is not None else "CAD"
    return format_money(amount, currency=currency, language=translation.get_language() or "en")


def _refusal_message(refusal: figures.ArithmeticRefusal, envelope: Envelope) -> str:
    f = refusal.figures
    messages = {
        "end_before_start": _("The last fiscal year, %(last)s, comes before the first, %(first)s."),
        "year_outside": _("%(year)s is outside the envelope's years, %(first)s to %(last)s."),
        "negative_authority": _(
            "The change would leave %(year)s with %(amount)s of authority; authority cannot be "
            "negative."
        ),
        "extension_not_later": _(
            "An extension moves the last fiscal year later than %(last)s; give the new last year."
        ),
        "end_change_needs_extension": _(
            "Only an extension changes the last fiscal year; this amendment is a %(kind)s."
        ),
        "empty_amendment": _("The amendment changes no year's authority."),
        "reprofiling_not_neutral": _(
            "A reprofiling moves money between years: its changes add up to %(net)s, not $0.00."
        ),
        "increase_not_positive": _(
            "An increase adds authority: every change is positive or zero and their total, now "
            "%(net)s, is above $0.00."
        ),
        "decrease_not_negative": _(
            "A decrease removes authority: every change is negative or zero and their total, now "
            "%(net)s, is below $0.00."
        ),
    }
    params = {
        key: money(value, envelope) if isinstance(value, Decimal) else str(value)
        for key, value in f.items()
    }
    if "kind" in f:
        params["kind"] = str(dict(AmendmentKind.choices).get(f["kind"], f["kind"])).lower()
    return messages.get(refusal.code, refusal.code) % params


def save_record(record, *, user, reason: str = ""):
    """`core.services.save_record`, with a field that fails validation told as a DomainError."""
    # The history keeps a change reason of at most 100 characters; the record keeps it whole.
    try:
        return save_audited_record(record, user=user, reason=(reason or "")[:100])
    except ValidationError as error:
        details = []
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                label = field
                if field != "__all__":
                    try:
                        label = str(record._meta.get_field(field).verbose_name)
                    except FieldDoesNotExist:
                        label = field
                details += [
                    f"{label}: {message}" if field != "__all__" else message for message in errors
                ]
        else:
            details = list(error.messages)
        raise DomainError(" ".join(details), details=details) from None


# Permissions and locking -------------------------------------------------------------


def _require_editor(user, record=None) -> None:
    if not rules.can_edit_envelope(user):
        raise PermissionRefused(_("Only program officers and administrators change the envelope."))
    if record is not None and not rules.can_view_record(user, record):
        raise PermissionRefused(_("You may not change a record you are not cleared to see."))


def _require_targeting(user) -> None:
    if not rules.can_edit_project_targeting(user):
        raise PermissionRefused(
            _("Changing a project's countries needs the clearance for targeted countries.")
        )


def _lock(envelope: Envelope) -> Envelope:
    """Lock the envelope row for the rest of the transaction: checks and writes are atomic."""
    return Envelope.objects.select_for_update().get(pk=envelope.pk)


def _money_or_refuse(value, what: str) -> Decimal:
    try:
        return to_money(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("%(what)s is not an amount in dollars and cents: %(value)s.")
            % {"what": what, "value": value}
        ) from None


def _fiscal_year_or_refuse(value) -> FiscalYear:
    try:
        return FiscalYear.parse(value) if not isinstance(value, int) else FiscalYear(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("%(value)s is not a fiscal year; write it as FY2024-25.") % {"value": value}
        ) from None


def _amounts_by_year(amounts: Mapping | Iterable, what: str) -> dict[FiscalYear, Decimal]:
    """Read {fiscal year: amount} or [(fiscal year, amount)], refusing a year given twice."""
    pairs = amounts.items() if isinstance(amounts, Mapping) else amounts
    result: dict[FiscalYear, Decimal] = {}
    for year, amount in pairs:
        year = _fiscal_year_or_refuse(year)
        if year in result:
            raise DomainError(_("%(year)s is given twice.") % {"year": year})
        result[year] = _money_or_refuse(amount, what)
    return result


# Envelopes ---------------------------------------------------------------------------


@transaction.atomic
def create_envelope(
    *,
    user,
    name: str,
    programme: str,
    start_fiscal_year,
    end_fiscal_year,
    authority: Mapping,
    total_authority=None,
    **fields,
) -> Envelope:
    """An envelope with its original authority for each year from start to end."""
    _require_editor(user)
    unknown = set(fields) - ENVELOPE_FIELDS
    if unknown:
        raise DomainError(_("Unknown envelope field: %s.") % ", ".join(sorted(unknown)))
    first, last = _fiscal_year_or_refuse(start_fiscal_year), _fiscal_year_or_refuse(end_fiscal_year)
    amounts = _amounts_by_year(authority, _("An authority"))
    envelope = Envelope(
        name=name, programme=programme, start_fiscal_year=first, original_end_fiscal_year=last
    )
    for key, value in fields.items():
        setattr(envelope, key, value)
    try:
        profile = figures.AuthorityProfile.original(first, last, amounts)
    except figures.ArithmeticRefusal as refusal:
        raise DomainError(_refusal_message(refusal, envelope)) from None
    if total_authority is not None:
        expected = _money_or_refuse(total_authority, _("The total authority"))
        if expected != profile.total:
            raise DomainError(
                _(
                    "The authority by fiscal year adds up to %(sum)s, not the total authority "
                    "of %(total)s."
                )
                % {"sum": money(profile.total, envelope), "total": money(expected, envelope)}
            )
    save_record(envelope, user=user, reason="created")
    for year in profile.years:
        save_record(
            OriginalAuthority(envelope=envelope, fiscal_year=year, amount=profile.authority(year)),
            user=user,
            reason="original authority",
        )
    return envelope


@transaction.atomic
def update_envelope(envelope: Envelope, *, user, reason: str = "", **fields) -> Envelope:
    """Change what describes an envelope; its authority changes only by amendment."""
    _require_editor(user, envelope)
    unknown = set(fields) - ENVELOPE_FIELDS
    if unknown:
        raise DomainError(
            _("%s cannot be changed here; authority changes by amendment.")
            % ", ".join(sorted(unknown))
        )
    envelope = _lock(envelope)
    for key, value in fields.items():
        setattr(envelope, key, value)
    return save_record(envelope, user=user, reason=reason or "updated")


# Amendments --------------------------------------------------------------------------


def _check_sequence(envelope: Envelope, terms: list[figures.AmendmentTerms]) -> None:
    """Refuse a sequence of amendments that breaks a rule, or leaves a year below its
    commitments."""
    try:
        stages = figures.apply_amendments(ledgers.original_profile(envelope), terms)
    except figures.ArithmeticRefusal as refusal:
        raise DomainError(_refusal_message(refusal, envelope)) from None
    committed = figures.committed_by_year(ledgers.project_ledgers(envelope).values())
    shortfalls = figures.authority_shortfalls(stages[-1], committed)
    if shortfalls:
        year, authority, amount = shortfalls[0]
        raise DomainError(
            _(
                "The amendment would leave %(year)s with %(authority)s of authority, below the "
                "%(committed)s already committed for it."
            )
            % {
                "year": year,
                "authority": money(authority, envelope),
                "committed": money(amount, envelope),
            },
            details=[
                _("%(year)s: %(authority)s of authority, %(committed)s committed")
                % {
                    "year": y,
                    "authority": money(a, envelope),
                    "committed": money(c, envelope),
                }
                for y, a, c in shortfalls
            ],
        )


@transaction.atomic
def record_amendment(
    *,
    user,
    envelope: Envelope,
    kind: str,
    approving_authority: str,
    approved_on: date,
    reason: str,
    changes: Mapping | Iterable = (),
    new_end_fiscal_year=None,
) -> Amendment:
    """An amendment to the envelope's authority, applied after those approved before it."""
    _require_editor(user, envelope)
    envelope = _lock(envelope)
    if kind not in AmendmentKind.values:
        raise DomainError(
            _("%(kind)s is not a kind of amendment; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(AmendmentKind.values)}
        )
    if not (approving_authority or "").strip():
        raise DomainError(_("Name the authority that approved the amendment."))
    if not (reason or "").strip():
        raise DomainError(_("Say why the envelope is amended."))
    amounts = {
        year: amount
        for year, amount in _amounts_by_year(changes, _("A change")).items()
        if amount != ZERO
    }
    new_end = _fiscal_year_or_refuse(new_end_fiscal_year) if new_end_fiscal_year else None
    number = (
        max(Amendment.all_objects.filter(envelope=envelope).values_list("number", flat=True) or [0])
        + 1
    )
    amendment = Amendment(
        envelope=envelope,
        number=number,
        kind=kind,
        approving_authority=approving_authority.strip(),
        approved_on=approved_on,
        reason=reason.strip(),
        new_end_fiscal_year=new_end,
    )
    existing = ledgers.amendments_in_order(envelope)
    ordered = sorted([*existing, amendment], key=lambda a: (a.approved_on, a.number))
    terms = [
        ledgers.amendment_terms(a, amounts) if a is amendment else ledgers.amendment_terms(a)
        for a in ordered
    ]
    _check_sequence(envelope, terms)
    save_record(amendment, user=user, reason=reason)
    for year, amount in sorted(amounts.items()):
        save_record(
            AmendmentChange(amendment=amendment, fiscal_year=year, change=amount),
            user=user,
            reason=reason,
        )
    return amendment


@transaction.atomic
def withdraw_amendment(amendment: Amendment, *, user, reason: str) -> Amendment:
    """Remove an amendment recorded in error (kept, with its history, as a deleted record)."""
    _require_editor(user, amendment)
    envelope = _lock(amendment.envelope)
    remaining = [a for a in ledgers.amendments_in_order(envelope) if a.pk != amendment.pk]
    _check_sequence(envelope, [ledgers.amendment_terms(a) for a in remaining])
    for change in amendment.changes.all():
        delete_record(change, user=user, reason=reason)
    return delete_record(amendment, user=user, reason=reason)


# Partners ----------------------------------------------------------------------------


@transaction.atomic
def create_partner(*, user, name: str, organisation_type: int, **fields) -> Partner:
    _require_editor(user)
    unknown = set(fields) - PARTNER_FIELDS
    if unknown:
        raise DomainError(_("Unknown partner field: %s.") % ", ".join(sorted(unknown)))
    partner = Partner(name=name, organisation_type=organisation_type, **fields)
    _check_partner_identifier(partner)
    return save_record(partner, user=user, reason="created")


@transaction.atomic
def update_partner(partner: Partner, *, user, reason: str = "", **fields) -> Partner:
    _require_editor(user, partner)
    unknown = set(fields) - PARTNER_FIELDS
    if unknown:
        raise DomainError(_("Unknown partner field: %s.") % ", ".join(sorted(unknown)))
    for key, value in fields.items():
        setattr(partner, key, value)
    _check_partner_identifier(partner)
    return save_record(partner, user=user, reason=reason or "updated")


def _check_partner_identifier(partner: Partner) -> None:
    if (
        partner.iati_identifier
        and Partner.objects.filter(iati_identifier=partner.iati_identifier)
        .exclude(pk=partner.pk)
        .exists()
    ):
        raise DomainError(
            _("Another partner already has the IATI identifier %(ref)s.")
            % {"ref": partner.iati_identifier}
        )


# Projects ----------------------------------------------------------------------------


def _check_schedule(
    project: Project,
    envelope: Envelope,
    schedule: dict[FiscalYear, Decimal],
    *,
    status: str,
) -> None:
    """Refuse a payment schedule that does not fit the project, its payments or the envelope."""
    profile = ledgers.current_profile(envelope)
    outside = [year for year in sorted(schedule) if not profile.covers(year)]
    if outside:
        raise DomainError(
            _(
                "%(year)s is outside the envelope's years (%(first)s to %(last)s); no payment "
                "can be planned for it."
            )
            % {"year": outside[0], "first": profile.first, "last": profile.last}
        )
    negative = [year for year, amount in sorted(schedule.items()) if amount <= 0]
    if negative:
        raise DomainError(
            _("The payment planned for %(year)s must be above $0.00.") % {"year": negative[0]}
        )
    planned = total(schedule.values())
    if planned > project.agreement_value:
        raise DomainError(
            _(
                "The payment schedule adds up to %(planned)s, beyond the agreement value of "
                "%(value)s."
            )
            % {
                "planned": money(planned, envelope),
                "value": money(project.agreement_value, envelope),
            }
        )
    if status in figures.OPEN_STATUSES:
        if planned != project.agreement_value:
            raise DomainError(
                _(
                    "An approved project's payment schedule adds up to its agreement value: "
                    "the schedule adds up to %(planned)s and the agreement value is %(value)s."
                )
                % {
                    "planned": money(planned, envelope),
                    "value": money(project.agreement_value, envelope),
                }
            )
        if project.pk:
            paid = figures.by_year(
                Payment.objects.filter(project=project).values_list("fiscal_year", "amount")
            )
            for year, amount in sorted(paid.items()):
                if schedule.get(year, ZERO) < amount:
                    raise DomainError(
                        _(
                            "%(year)s already has %(paid)s paid to %(project)s; the schedule "
                            "cannot plan less than that for it (it plans %(planned)s)."
                        )
                        % {
                            "year": year,
                            "paid": money(amount, envelope),
                            "project": project.reference,
                            "planned": money(schedule.get(year, ZERO), envelope),
                        }
                    )
        others = figures.committed_by_year(
            ledgers.project_ledgers(envelope, exclude=project if project.pk else None).values()
        )
        shortfalls = figures.availability_shortfalls(profile, others, schedule)
        if shortfalls:
            year, asked, available = shortfalls[0]
            raise DomainError(
                _(
                    "%(project)s would commit %(asked)s in %(year)s, where %(available)s is "
                    "available (%(authority)s of authority, %(committed)s already committed)."
                )
                % {
                    "project": project.reference,
                    "asked": money(asked, envelope),
                    "year": year,
                    "available": money(available, envelope),
                    "authority": money(profile.authority(year), envelope),
                    "committed": money(others.get(year, ZERO), envelope),
                }
            )


def _write_schedule(project: Project, schedule: dict[FiscalYear, Decimal], *, user, reason):
    current = {row.fiscal_year: row for row in PlannedPayment.objects.filter(project=project)}
    for year, row in current.items():
        if year not in schedule:
            delete_record(row, user=user, reason=reason or "removed from the schedule")
        elif row.amount != schedule[year]:
            row.amount = schedule[year]
            save_record(row, user=user, reason=reason)
    for year, amount in sorted(schedule.items()):
        if year not in current:
            save_record(
                PlannedPayment(project=project, fiscal_year=year, amount=amount),
                user=user,
                reason=reason,
            )


def _country_rows(countries: Iterable) -> dict[str, bool]:
    """{code: is_disclosed} from codes, Countries, or (code or Country, is_disclosed) pairs."""
    wanted: dict[str, bool] = {}
    for item in countries:
        country, disclosed = item if isinstance(item, tuple | list) else (item, False)
        code = getattr(country, "code", country)
        code = str(code).strip().upper()
        if code in wanted:
            raise DomainError(_("%(code)s is given twice.") % {"code": code})
        wanted[code] = bool(disclosed)
    known = set(Country.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise DomainError(
            _("%(codes)s is not a country Readmit knows; declare it first.")
            % {"codes": ", ".join(unknown)}
        )
    return wanted


def _write_countries(project: Project, wanted: dict[str, bool], *, user, reason: str) -> None:
    current = {link.country_id: link for link in ProjectCountry.objects.filter(project=project)}
    for code, link in current.items():
        if code not in wanted:
            delete_record(link, user=user, reason=reason or "no longer targeted")
        elif link.is_disclosed != wanted[code]:
            link.is_disclosed = wanted[code]
            save_record(link, user=user, reason=reason or "disclosure changed")
    for code, disclosed in wanted.items():
        if code not in current:
            save_record(
                ProjectCountry(project=project, country_id=code, is_disclosed=disclosed),
                user=user,
                reason=reason or "targeted",
            )


def _check_project_fields(project: Project) -> None:
    if (
        Project.objects.filter(envelope=project.envelope, reference=project.reference)
        .exclude(pk=project.pk)
        .exists()
    ):
        raise DomainError(
            _("The envelope already has a project %(reference)s.")
            % {"reference": project.reference}
        )
    if (
        project.iati_identifier
        and Project.objects.filter(iati_identifier=project.iati_identifier)
        .exclude(pk=project.pk)
        .exists()
    ):
        raise DomainError(
            _("Another project already has the IATI identifier %(ref)s.")
            % {"ref": project.iati_identifier}
        )


@transaction.atomic
def create_project(
    *,
    user,
    envelope: Envelope,
    partner: Partner,
    reference: str,
    title: str,
    agreement_value,
    planned_payments: Mapping | Iterable = (),
    countries: Iterable = (),
    status: str = ProjectStatus.PIPELINE,
    approval_date: date | None = None,
    **fields,
) -> Project:
    """A project in the pipeline; given an approved status, it is approved at once (with the
    same checks as `approve_project`)."""
    _require_editor(user, envelope)
    envelope = _lock(envelope)
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise DomainError(_("Unknown project field: %s.") % ", ".join(sorted(unknown)))
    countries = list(countries)
    if countries:
        _require_targeting(user)
    project = Project(
        envelope=envelope,
        partner=partner,
        reference=(reference or "").strip(),
        title=title,
        agreement_value=_money_or_refuse(agreement_value, _("The agreement value")),
        **fields,
    )
    if not project.iati_identifier and envelope.reporting_org_ref and project.reference:
        project.iati_identifier = f"{envelope.reporting_org_ref}-{project.reference}"
    _check_project_fields(project)
    schedule = _amounts_by_year(planned_payments, _("A planned payment"))
    _check_schedule(project, envelope, schedule, status=ProjectStatus.PIPELINE)
    wanted = _country_rows(countries)
    save_record(project, user=user, reason="created")
    _write_schedule(project, schedule, user=user, reason="created")
    _write_countries(project, wanted, user=user, reason="created")
    if status != ProjectStatus.PIPELINE:
        change_project_status(
            project, user=user, status=status, approval_date=approval_date, on=approval_date
        )
        project.refresh_from_db()
    return project


@transaction.atomic
def update_project(
    project: Project,
    *,
    user,
    reason: str = "",
    agreement_value=None,
    planned_payments: Mapping | Iterable | None = None,
    countries: Iterable | None = None,
    **fields,
) -> Project:
    """Change a project; the agreement value and schedule change together when it is approved."""
    _require_editor(user, project)
    envelope = _lock(project.envelope)
    project = Project.objects.get(pk=project.pk)
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise DomainError(_("Unknown project field: %s.") % ", ".join(sorted(unknown)))
    if project.status in figures.SETTLED_STATUSES and (
        agreement_value is not None or planned_payments is not None
    ):
        raise DomainError(
            _("%(project)s is %(status)s; its agreement value and schedule no longer change.")
            % {"project": project.reference, "status": project.get_status_display().lower()}
        )
    for key, value in fields.items():
        setattr(project, key, value)
    if agreement_value is not None:
        project.agreement_value = _money_or_refuse(agreement_value, _("The agreement value"))
        paid = total(Payment.objects.filter(project=project).values_list("amount", flat=True))
        if project.agreement_value < paid:
            raise DomainError(
                _("%(project)s has already been paid %(paid)s; its agreement value cannot be less.")
                % {"project": project.reference, "paid": money(paid, envelope)}
            )
    _check_project_fields(project)
    if planned_payments is not None:
        schedule = _amounts_by_year(planned_payments, _("A planned payment"))
    else:
        schedule = {
            row.fiscal_year: row.amount for row in PlannedPayment.objects.filter(project=project)
        }
    if planned_payments is not None or agreement_value is not None:
        _check_schedule(project, envelope, schedule, status=project.status)
    save_record(project, user=user, reason=reason or "updated")
    if planned_payments is not None:
        _write_schedule(project, schedule, user=user, reason=reason or "schedule changed")
    if countries is not None:
        _require_targeting(user)
        _write_countries(project, _country_rows(countries), user=user, reason=reason)
    return project


@transaction.atomic
def set_payment_schedule(
    project: Project, *, user, planned_payments: Mapping | Iterable, agreement_value=None, reason=""
) -> Project:
    """Replace a project's payment schedule (and, with it, its agreement value if given)."""
    return update_project(
        project,
        user=user,
        reason=reason or "schedule changed",
        agreement_value=agreement_value,
        planned_payments=planned_payments,
    )


@transaction.atomic
def set_project_countries(project: Project, *, user, countries: Iterable, reason: str = ""):
    """Replace a project's target countries: codes, or (code, may be disclosed) pairs."""
    _require_editor(user, project)
    _require_targeting(user)
    _write_countries(project, _country_rows(countries), user=user, reason=reason)
    return project


@transaction.atomic
def disclose_project_country(link: ProjectCountry, *, user, is_disclosed: bool, reason: str):
    _require_editor(user, link.project)
    _require_targeting(user)
    if not (reason or "").strip():
        raise DomainError(_("Say why the country's disclosure changes."))
    link.is_disclosed = is_disclosed
    return save_record(link, user=user, reason=reason)


# Project status ----------------------------------------------------------------------

TRANSITIONS = {
    ProjectStatus.APPROVED: {ProjectStatus.PIPELINE},
    ProjectStatus.ACTIVE: {ProjectStatus.APPROVED},
    ProjectStatus.CLOSED: {ProjectStatus.APPROVED, ProjectStatus.ACTIVE},
    ProjectStatus.CANCELLED: {
        ProjectStatus.PIPELINE,
        ProjectStatus.APPROVED,
        ProjectStatus.ACTIVE,
    },
}


def _check_transition(project: Project, status: str) -> None:
    if status not in TRANSITIONS:
        raise DomainError(
            _("%(status)s is not a status a project moves to; use one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(str(s) for s in TRANSITIONS)}
        )
    if project.status not in TRANSITIONS[status]:
        allowed = [str(s) for s, sources in TRANSITIONS.items() if project.status in sources]
        raise DomainError(
            _("%(project)s is %(current)s; it can become %(allowed)s, not %(status)s.")
            % {
                "project": project.reference,
                "current": project.status,
                "allowed": _(" or ").join(allowed) if allowed else _("nothing else"),
                "status": status,
            }
        )


@transaction.atomic
def approve_project(project: Project, *, user, approval_date: date, reason: str = "") -> Project:
    """Approve a project: its schedule becomes a commitment, and must fit the authority."""
    _require_editor(user, project)
    envelope = _lock(project.envelope)
    project = Project.objects.get(pk=project.pk)
    _check_transition(project, ProjectStatus.APPROVED)
    if approval_date is None:
        raise DomainError(_("Give the date the project was approved."))
    schedule = {
        row.fiscal_year: row.amount for row in PlannedPayment.objects.filter(project=project)
    }
    _check_schedule(project, envelope, schedule, status=ProjectStatus.APPROVED)
    project.status = ProjectStatus.APPROVED
    project.approval_date = approval_date
    project.status_changed_on = approval_date
    return save_record(project, user=user, reason=reason or "approved")


def _move(project: Project, status: str, *, user, on: date | None, reason: str) -> Project:
    _require_editor(user, project)
    _lock(project.envelope)
    project = Project.objects.get(pk=project.pk)
    _check_transition(project, status)
    on = on or timezone.localdate()
    if project.approval_date and on < project.approval_date:
        raise DomainError(
            _("%(date)s is before the project's approval on %(approved)s.")
            % {"date": on.isoformat(), "approved": project.approval_date.isoformat()}
        )
    project.status = status
    project.status_changed_on = on
    return save_record(project, user=user, reason=reason or str(status))


@transaction.atomic
def activate_project(project: Project, *, user, on: date | None = None, reason: str = ""):
    return _move(project, ProjectStatus.ACTIVE, user=user, on=on, reason=reason)


@transaction.atomic
def close_project(project: Project, *, user, on: date | None = None, reason: str = ""):
    """Close a project: what it has not paid is released back to the envelope."""
    return _move(project, ProjectStatus.CLOSED, user=user, on=on, reason=reason)


@transaction.atomic
def cancel_project(project: Project, *, user, reason: str, on: date | None = None):
    """Cancel a project: what it has not paid is released back to the envelope."""
    if not (reason or "").strip():
        raise DomainError(_("Say why the project is cancelled."))
    return _move(project, ProjectStatus.CANCELLED, user=user, on=on, reason=reason)


def change_project_status(
    project: Project,
    *,
    user,
    status: str,
    on: date | None = None,
    approval_date: date | None = None,
    reason: str = "",
) -> Project:
    """Move a project to `status` through the function for that move."""
    if status == project.status:
        return project
    if status == ProjectStatus.APPROVED:
        return approve_project(project, user=user, approval_date=approval_date or on, reason=reason)
    if status == ProjectStatus.ACTIVE and project.status == ProjectStatus.PIPELINE:
        # Straight to active: approved and active on the same day.
        with transaction.atomic():
            project = approve_project(
                project, user=user, approval_date=approval_date or on, reason=reason
            )
            return activate_project(project, user=user, on=on or approval_date, reason=reason)
    if status == ProjectStatus.ACTIVE:
        return activate_project(project, user=user, on=on, reason=reason)
    if status == ProjectStatus.CLOSED:
        return close_project(project, user=user, on=on, reason=reason)
    if status == ProjectStatus.CANCELLED:
        return cancel_project(project, user=user, on=on, reason=reason)
    _check_transition(project, status)
    return project


# Payments ----------------------------------------------------------------------------


@transaction.atomic
def record_payment(
    *, user, project: Project, paid_on: date, amount, reference: str = "", note: str = ""
) -> Payment:
    """A payment to an approved or active project, within its agreement, schedule and years."""
    _require_editor(user, project)
    envelope = _lock(project.envelope)
    project = Project.objects.get(pk=project.pk)
    amount = _money_or_refuse(amount, _("The amount"))
    if amount <= 0:
        raise DomainError(_("A payment is above $0.00; to undo one, delete it with a reason."))
    if project.status == ProjectStatus.PIPELINE:
        raise DomainError(
            _(
                "%(project)s is in the pipeline: it has not been approved, so nothing can be "
                "paid on it yet."
            )
            % {"project": project.reference}
        )
    if project.status not in figures.PAYABLE_STATUSES:
        raise DomainError(
            _("%(project)s is %(status)s; no payment can be made on it.")
            % {"project": project.reference, "status": project.get_status_display().lower()}
        )
    if paid_on is None:
        raise DomainError(_("Give the date of the payment."))
    year = FiscalYear.of(paid_on)
    profile = ledgers.current_profile(envelope)
    if not profile.covers(year):
        raise DomainError(
            _(
                "The payment is dated %(date)s, in %(year)s; the envelope's years are "
                "%(first)s to %(last)s."
            )
            % {
                "date": paid_on.isoformat(),
                "year": year,
                "first": profile.first,
                "last": profile.last,
            }
        )
    if project.approval_date and paid_on < project.approval_date:
        raise DomainError(
            _("The payment is dated %(date)s, before %(project)s was approved on %(approved)s.")
            % {
                "date": paid_on.isoformat(),
                "project": project.reference,
                "approved": project.approval_date.isoformat(),
            }
        )
    ledger = ledgers.project_ledger(project)
    if ledger.paid_total + amount > project.agreement_value:
        raise DomainError(
            _(
                "A payment of %(amount)s would bring payments to %(project)s to %(after)s, beyond "
                "its agreement value of %(value)s (%(left)s remains to pay)."
            )
            % {
                "amount": money(amount, envelope),
                "project": project.reference,
                "after": money(ledger.paid_total + amount, envelope),
                "value": money(project.agreement_value, envelope),
                "left": money(project.agreement_value - ledger.paid_total, envelope),
            }
        )
    payment = Payment(
        project=project, paid_on=paid_on, amount=amount, reference=reference, note=note
    )
    return save_record(payment, user=user, reason="payment recorded")


@transaction.atomic
def delete_payment(payment: Payment, *, user, reason: str) -> Payment:
    """Delete a payment entered in error; it stays, with its history, as a deleted record."""
    _require_editor(user, payment.project)
    _lock(payment.project.envelope)
    return delete_record(payment, user=user, reason=reason)
