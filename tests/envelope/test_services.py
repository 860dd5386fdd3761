"""Every change goes through a service that refuses, with the figures, what breaks a rule."""

from datetime import date
from decimal import Decimal

import pytest

from readmit.core.errors import DomainError, PermissionRefused
from readmit.envelope import selectors, services
from readmit.envelope.models import Payment, PlannedPayment, Project, ProjectCountry
from tests.envelope.conftest import FY19, FY20, FY21, FY22, FY24

D = Decimal
pytestmark = pytest.mark.django_db


def test_an_envelope_keeps_its_original_authority_by_year(envelope):
    stages = selectors.authority_history(envelope)
    assert len(stages) == 1
    assert stages[0].profile.total == D("21000000.00")
    assert stages[0].profile.authority(FY20) == D("10000000.00")
    assert stages[0].label == "Original authority"


def test_an_envelope_whose_years_do_not_add_up_to_its_total_is_refused(program_officer):
    with pytest.raises(DomainError, match=r"adds up to \$2,000,000.00, not .* \$3,000,000.00"):
        services.create_envelope(
            user=program_officer,
            name="E",
            programme="P",
            start_fiscal_year="FY2019-20",
            end_fiscal_year="FY2020-21",
            authority={"FY2019-20": "1000000", "FY2020-21": "1000000"},
            total_authority="3000000",
        )


def test_authority_outside_the_envelope_years_is_refused(program_officer):
    with pytest.raises(DomainError, match="FY2022-23 is outside the envelope's years"):
        services.create_envelope(
            user=program_officer,
            name="E",
            programme="P",
            start_fiscal_year="FY2019-20",
            end_fiscal_year="FY2020-21",
            authority={"FY2022-23": "1000000"},
        )


def test_the_extension_is_applied_and_history_shows_the_earlier_profile(extended):
    original, after = selectors.authority_history(extended)
    assert original.profile.last == FY21
    assert after.profile.last == FY24
    assert after.profile.total == D("21000000.00")
    assert after.profile.authority(FY22) == D("4000000.00")
    assert after.label.startswith("After amendment 1 (extension of the end year")
    assert after.amendment.approving_authority == "Department of Finance"


def test_an_amendment_below_what_is_committed_is_refused_with_the_figures(
    extended, make_project, program_officer
):
    make_project(schedule={"FY2022-23": "1250000.00"}, status="approved")
    with pytest.raises(DomainError) as refusal:
        services.record_amendment(
            user=program_officer,
            envelope=extended,
            kind="reprofiling",
            approving_authority="Treasury Board",
            approved_on=date(2021, 5, 1),
            reason="Move money to FY2023-24",
            changes={"FY2022-23": "-3000000.00", "FY2023-24": "3000000.00"},
        )
    assert refusal.value.message == (
        "The amendment would leave FY2022-23 with $1,000,000.00 of authority, below the "
        "$1,250,000.00 already committed for it."
    )


def test_a_decrease_within_what_is_uncommitted_is_accepted(extended, make_project, program_officer):
    make_project(schedule={"FY2022-23": "1250000.00"}, status="approved")
    services.record_amendment(
        user=program_officer,
        envelope=extended,
        kind="decrease",
        approving_authority="Treasury Board",
        approved_on=date(2021, 5, 1),
        reason="Frozen allotment",
        changes={"FY2022-23": "-2750000.00"},
    )
    assert selectors.envelope_figures(extended).year(FY22).available == D("0.00")


def test_an_amendment_without_approving_authority_or_reason_is_refused(envelope, program_officer):
    with pytest.raises(DomainError, match="Name the authority that approved the amendment"):
        services.record_amendment(
            user=program_officer,
            envelope=envelope,
            kind="increase",
            approving_authority=" ",
            approved_on=date(2020, 1, 1),
            reason="x",
            changes={"FY2020-21": "1"},
        )


def test_withdrawing_an_amendment_that_others_depend_on_is_refused(
    extended, make_project, program_officer
):
    make_project(schedule={"FY2023-24": "1000000.00"}, status="approved")
    amendment = extended.amendments.get()
    with pytest.raises(
        DomainError,
        match=r"would leave FY2023-24 with \$0.00 of authority, below the \$1,000,000.00",
    ):
        services.withdraw_amendment(amendment, user=program_officer, reason="entered in error")


def test_approving_beyond_what_is_available_is_refused(extended, make_project):
    make_project(schedule={"FY2021-22": "3000000.00"}, status="approved")
    with pytest.raises(DomainError) as refusal:
        make_project(schedule={"FY2021-22": "1000000.01"}, status="approved")
    assert refusal.value.message == (
        "MCEE-002 would commit $1,000,000.01 in FY2021-22, where $1,000,000.00 is available "
        "($4,000,000.00 of authority, $3,000,000.00 already committed)."
    )
    assert not Project.objects.filter(reference="MCEE-002").exists()


def test_a_pipeline_project_may_plan_beyond_what_is_available(extended, make_project):
    project = make_project(schedule={"FY2021-22": "9000000.00"})
    assert project.status == "pipeline"
    year = selectors.envelope_figures(extended).year(FY21)
    assert (year.committed, year.pipeline, year.unplanned) == (
        D("0.00"),
        D("9000000.00"),
        D("-5000000.00"),
    )


def test_approval_needs_a_schedule_that_adds_up_to_the_agreement_value(make_project):
    with pytest.raises(DomainError, match=r"adds up to \$500.00 and the agreement value is"):
        make_project(schedule={"FY2020-21": "500.00"}, value="1000.00", status="approved")


def test_a_schedule_beyond_the_agreement_value_is_refused(make_project):
    with pytest.raises(DomainError, match="beyond the agreement value"):
        make_project(schedule={"FY2020-21": "1500.00"}, value="1000.00")


def test_a_schedule_outside_the_envelope_years_is_refused(make_project):
    with pytest.raises(DomainError, match="FY2022-23 is outside the envelope's years"):
        make_project(schedule={"FY2022-23": "1000.00"})


# Payments ----------------------------------------------------------------------------


@pytest.fixture
def approved(extended, make_project):
    return make_project(
        schedule={"FY2020-21": "500000.00", "FY2021-22": "1000000.00"},
        status="approved",
        approval_date=date(2020, 6, 1),
    )


def pay(project, user, day, amount):
    return services.record_payment(user=user, project=project, paid_on=day, amount=amount)


def test_a_payment_beyond_the_agreement_value_is_refused(approved, program_officer):
    pay(approved, program_officer, date(2021, 3, 31), "500000.00")
    pay(approved, program_officer, date(2021, 4, 1), "1000000.00")
    with pytest.raises(DomainError) as refusal:
        pay(approved, program_officer, date(2021, 5, 1), "0.01")
    assert refusal.value.message == (
        "A payment of $0.01 would bring payments to MCEE-001 to $1,500,000.01, beyond its "
        "agreement value of $1,500,000.00 ($0.00 remains to pay)."
    )


def test_a_payment_outside_the_envelope_years_is_refused(approved, program_officer):
    with pytest.raises(DomainError) as refusal:
        pay(approved, program_officer, date(2025, 4, 1), "10.00")
    assert refusal.value.message == (
        "The payment is dated 2025-04-01, in FY2025-26; the envelope's years are FY2019-20 to "
        "FY2024-25."
    )


def test_a_payment_on_a_project_not_yet_approved_is_refused(
    extended, make_project, program_officer
):
    project = make_project(schedule={"FY2020-21": "1000.00"})
    with pytest.raises(DomainError, match="MCEE-001 is in the pipeline: it has not been approved"):
        pay(project, program_officer, date(2020, 9, 1), "10.00")


def test_a_payment_on_a_cancelled_project_is_refused(approved, program_officer):
    services.cancel_project(approved, user=program_officer, reason="partner withdrew")
    with pytest.raises(DomainError, match="MCEE-001 is cancelled; no payment can be made on it"):
        pay(approved, program_officer, date(2020, 9, 1), "10.00")


def test_a_payment_beyond_the_year_planned_amount_is_accepted_as_an_advance(
    approved, program_officer
):
    payment = pay(approved, program_officer, date(2021, 3, 31), "500000.01")
    assert payment.amount == Decimal("500000.01")


def test_a_payment_before_the_approval_is_refused(approved, program_officer):
    with pytest.raises(DomainError, match="before MCEE-001 was approved on 2020-06-01"):
        pay(approved, program_officer, date(2020, 5, 31), "10.00")


def test_a_payment_on_31_march_and_one_on_1_april_count_in_their_own_years(
    approved, extended, program_officer
):
    first = pay(approved, program_officer, date(2021, 3, 31), "500000.00")
    second = pay(approved, program_officer, date(2021, 4, 1), "250000.00")
    assert (first.fiscal_year, second.fiscal_year) == (FY20, FY21)
    result = selectors.envelope_figures(extended, today=date(2021, 4, 1))
    assert result.year(FY20).paid == D("500000.00")
    assert result.year(FY21).paid == D("250000.00")
    assert result.year(FY21).outstanding == D("750000.00")
    assert result.year(FY20).lapsed == D("3500000.00")
    assert result.lapse_risk == D("3000000.00")


def test_cancelling_releases_the_unpaid_commitment(approved, extended, program_officer):
    pay(approved, program_officer, date(2020, 9, 1), "200000.00")
    services.cancel_project(
        approved, user=program_officer, reason="partner withdrew", on=date(2020, 10, 1)
    )
    result = selectors.envelope_figures(extended, today=date(2020, 10, 1))
    assert result.year(FY20).committed == D("200000.00")
    assert result.year(FY21).committed == D("0.00")
    assert result.approved_projects == 0


def test_closing_with_an_underspend_releases_it(approved, extended, program_officer):
    pay(approved, program_officer, date(2020, 9, 1), "500000.00")
    pay(approved, program_officer, date(2021, 9, 1), "900000.00")
    services.close_project(approved, user=program_officer, on=date(2022, 1, 10))
    result = selectors.envelope_figures(extended)
    assert result.year(FY21).committed == D("900000.00")
    assert result.committed == D("1400000.00")
    assert result.approved_projects == 1
    assert result.approved_value == D("1500000.00")


def test_a_reprofiled_schedule_cannot_plan_less_than_was_paid_in_a_year(approved, program_officer):
    pay(approved, program_officer, date(2020, 9, 1), "400000.00")
    with pytest.raises(DomainError, match=r"FY2020-21 already has \$400,000.00 paid"):
        services.set_payment_schedule(
            approved,
            user=program_officer,
            planned_payments={"FY2020-21": "300000.00", "FY2021-22": "1200000.00"},
        )
    services.set_payment_schedule(
        approved,
        user=program_officer,
        planned_payments={"FY2020-21": "400000.00", "FY2021-22": "1100000.00"},
        reason="Reprofiled after the first payment",
    )
    amounts = dict(
        PlannedPayment.objects.filter(project=approved).values_list("fiscal_year", "amount")
    )
    assert amounts == {FY20: D("400000.00"), FY21: D("1100000.00")}


def test_an_agreement_value_below_what_was_paid_is_refused(approved, program_officer):
    pay(approved, program_officer, date(2020, 9, 1), "400000.00")
    with pytest.raises(DomainError, match=r"already been paid \$400,000.00"):
        services.update_project(approved, user=program_officer, agreement_value="300000.00")


def test_status_moves_only_along_the_workflow(approved, program_officer):
    with pytest.raises(DomainError, match="pipeline is not a status a project moves to"):
        services.change_project_status(approved, user=program_officer, status="pipeline")
    with pytest.raises(DomainError, match="is approved; it can become active or closed or"):
        services.approve_project(approved, user=program_officer, approval_date=date(2020, 1, 1))
    services.activate_project(approved, user=program_officer, on=date(2020, 7, 1))
    assert Project.objects.get(pk=approved.pk).status == "active"


# Access and history ------------------------------------------------------------------


def test_every_change_is_kept_with_who_made_it(approved, program_officer):
    payment = pay(approved, program_officer, date(2020, 9, 1), "1000.00")
    services.delete_payment(payment, user=program_officer, reason="entered twice")
    assert not Payment.objects.filter(pk=payment.pk).exists()
    kept = Payment.all_objects.get(pk=payment.pk)
    assert [h.history_user for h in kept.history.all()] == [program_officer, program_officer]
    project_history = Project.objects.get(pk=approved.pk).history.order_by("history_date")
    assert [h.status for h in project_history] == ["pipeline", "approved"]


@pytest.mark.parametrize("fixture", ["viewer", "analyst", "rwg_member"])
def test_only_program_officers_and_administrators_change_the_envelope(request, fixture, envelope):
    user = request.getfixturevalue(fixture)
    with pytest.raises(PermissionRefused):
        services.record_amendment(
            user=user,
            envelope=envelope,
            kind="increase",
            approving_authority="Treasury Board",
            approved_on=date(2020, 1, 1),
            reason="more",
            changes={"FY2020-21": "1.00"},
        )


def test_an_administrator_changes_the_envelope(envelope, administrator):
    amendment = services.record_amendment(
        user=administrator,
        envelope=envelope,
        kind="increase",
        approving_authority="Treasury Board",
        approved_on=date(2020, 1, 1),
        reason="more",
        changes={"FY2019-20": "1.00"},
    )
    assert amendment.number == 1
    assert selectors.envelope_figures(envelope).year(FY19).authority == D("1000001.00")


def test_an_officer_without_targeting_clearance_cannot_set_countries(
    envelope, partner, countries, uncleared_analyst
):
    from readmit.accounts.models import Role

    officer = uncleared_analyst
    officer.role = Role.PROGRAM_OFFICER
    officer.save()
    with pytest.raises(PermissionRefused, match="clearance for targeted countries"):
        services.create_project(
            user=officer,
            envelope=envelope,
            partner=partner,
            reference="P-1",
            title="T",
            agreement_value="100.00",
            countries=["XAA"],
        )


def test_a_country_link_is_withheld_until_disclosed(make_project, program_officer):
    project = make_project(schedule={"FY2020-21": "100.00"}, countries=[("XAA", False)])
    link = ProjectCountry.objects.get(project=project)
    assert (link.is_disclosed, link.security_level, link.is_need_to_know) == (False, 2, True)
    services.disclose_project_country(
        link, user=program_officer, is_disclosed=True, reason="partner published it"
    )
    link.refresh_from_db()
    assert (link.is_disclosed, link.security_level, link.is_need_to_know) == (True, 0, False)
