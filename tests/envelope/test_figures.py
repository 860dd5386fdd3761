"""The envelope arithmetic with plain values: authority after amendments, figures per year."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readmit.core.fiscal import FiscalYear
from readmit.envelope.figures import (
    AmendmentKind,
    AmendmentTerms,
    ArithmeticRefusal,
    AuthorityProfile,
    ProjectLedger,
    ProjectStatus,
    Timing,
    apply_amendments,
    authority_shortfalls,
    availability_shortfalls,
    committed_by_year,
    envelope_figures,
    paid_by_year,
)
from readmit.envelope.money import format_money, to_money

FY19, FY20, FY21, FY22, FY23, FY24 = (FiscalYear(y) for y in range(2019, 2025))
D = Decimal

cents = st.integers(min_value=0, max_value=10**11).map(lambda c: D(c) / 100)


def mcee() -> AuthorityProfile:
    return AuthorityProfile.original(
        FY19, FY21, {FY19: D("1000000.00"), FY20: D("10000000.00"), FY21: D("10000000.00")}
    )


EXTENSION = AmendmentTerms(
    AmendmentKind.EXTENSION,
    {
        FY20: D("-6000000.00"),
        FY21: D("-6000000.00"),
        FiscalYear(2022): D("4000000.00"),
        FY23: D("4000000.00"),
        FY24: D("4000000.00"),
    },
    new_last=FY24,
)


def test_the_extension_spreads_21_million_over_six_years():
    original, extended = apply_amendments(mcee(), [EXTENSION])
    assert original.total == extended.total == D("21000000.00")
    assert extended.last == FY24
    assert [extended.authority(y) for y in extended.years] == [
        D("1000000.00"),
        D("4000000.00"),
        D("4000000.00"),
        D("4000000.00"),
        D("4000000.00"),
        D("4000000.00"),
    ]


def test_an_extension_may_also_bring_new_money():
    terms = AmendmentTerms(
        AmendmentKind.EXTENSION, {FiscalYear(2022): D("3000000.00")}, FiscalYear(2022)
    )
    extended = apply_amendments(mcee(), [terms])[-1]
    assert extended.total == D("24000000.00")
    assert extended.authority(FiscalYear(2022)) == D("3000000.00")


def test_amendments_apply_in_order_and_each_stage_is_kept():
    increase = AmendmentTerms(AmendmentKind.INCREASE, {FY24: D("500000.00")})
    stages = apply_amendments(mcee(), [EXTENSION, increase])
    assert [s.total for s in stages] == [D("21000000.00"), D("21000000.00"), D("21500000.00")]
    # The increase names FY2024-25, which exists only once the extension is applied.
    with pytest.raises(ArithmeticRefusal) as refusal:
        apply_amendments(mcee(), [increase, EXTENSION])
    assert refusal.value.code == "year_outside"


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (AmendmentTerms(AmendmentKind.EXTENSION, {}, new_last=FY21), "extension_not_later"),
        (AmendmentTerms(AmendmentKind.REPROFILING, {FY20: D("1.00")}), "reprofiling_not_neutral"),
        (AmendmentTerms(AmendmentKind.REPROFILING, {}), "empty_amendment"),
        (
            AmendmentTerms(AmendmentKind.INCREASE, {FY20: D("2.00"), FY21: D("-1.00")}),
            "increase_not_positive",
        ),
        (AmendmentTerms(AmendmentKind.DECREASE, {FY20: D("1.00")}), "decrease_not_negative"),
        (
            AmendmentTerms(AmendmentKind.DECREASE, {FY19: D("-1000000.01")}),
            "negative_authority",
        ),
        (AmendmentTerms(AmendmentKind.INCREASE, {FY22: D("1.00")}), "year_outside"),
        (
            AmendmentTerms(AmendmentKind.INCREASE, {FY20: D("1.00")}, new_last=FY22),
            "end_change_needs_extension",
        ),
    ],
)
def test_an_amendment_that_does_not_fit_its_kind_is_refused(terms, code):
    with pytest.raises(ArithmeticRefusal) as refusal:
        apply_amendments(mcee(), [terms])
    assert refusal.value.code == code


def test_a_year_below_its_commitments_is_a_shortfall():
    profile = mcee()
    committed = {FY20: D("10000000.00"), FY21: D("10000000.01"), FY22: D("5.00")}
    assert authority_shortfalls(profile, committed) == [
        (FY21, D("10000000.00"), D("10000000.01")),
        (FY22, D("0.00"), D("5.00")),
    ]


def test_a_new_commitment_must_fit_what_others_left():
    profile = mcee()
    others = {FY20: D("9000000.00")}
    assert availability_shortfalls(profile, others, {FY20: D("1000000.00")}) == []
    assert availability_shortfalls(profile, others, {FY20: D("1000000.01")}) == [
        (FY20, D("1000000.01"), D("1000000.00"))
    ]


def test_payments_on_31_march_and_1_april_fall_in_different_years():
    paid = paid_by_year(
        [
            (date(2021, 3, 31), D("100.00")),
            (date(2021, 4, 1), D("200.00")),
            (date(2020, 4, 1), D("50.00")),
        ]
    )
    assert paid == {FY20: D("150.00"), FY21: D("200.00")}


def _ledger(reference, status, value, planned=None, paid=None, countries=()):
    return ProjectLedger(
        reference,
        ProjectStatus(status),
        D(value),
        planned={k: D(v) for k, v in (planned or {}).items()},
        paid={k: D(v) for k, v in (paid or {}).items()},
        countries=frozenset(countries),
    )


PROJECTS = [
    # Approved: $1.5M over FY2020-21 and FY2021-22, $400k paid in FY2020-21.
    _ledger(
        "A",
        "approved",
        "1500000.00",
        {FY20: "500000.00", FY21: "1000000.00"},
        {FY20: "400000.00"},
        ["XAA"],
    ),
    # Active, fully paid in FY2020-21.
    _ledger("B", "active", "1000000.00", {FY20: "1000000.00"}, {FY20: "1000000.00"}, ["XBB"]),
    # Cancelled after $200k: the unpaid $800k is released.
    _ledger(
        "C",
        "cancelled",
        "1000000.00",
        {FY20: "500000.00", FY21: "500000.00"},
        {FY20: "200000.00"},
        ["XCC"],
    ),
    # Closed with $900k of $1.5M paid: $600k released.
    _ledger(
        "D",
        "closed",
        "1500000.00",
        {FY19: "500000.00", FY20: "1000000.00"},
        {FY19: "500000.00", FY20: "400000.00"},
        ["XAA", "XDD"],
    ),
    # Pipeline: planned, not committed.
    _ledger("E", "pipeline", "2000000.00", {FY21: "2000000.00"}, {}, ["XEE"]),
]


def test_figures_of_a_hand_computed_scenario():
    figures = envelope_figures(
        mcee(), PROJECTS, today=date(2021, 3, 31), target_min=8, target_max=10
    )
    fy19, fy20, fy21 = figures.years
    assert fy20.timing == Timing.CURRENT
    assert fy19.timing == Timing.PAST
    # FY2019-20: D paid $500k (closed: commitment = paid).
    assert (fy19.authority, fy19.committed, fy19.paid) == (D("1000000"), D("500000"), D("500000"))
    assert fy19.lapsed == D("500000.00")
    assert fy19.lapse_risk is None
    # FY2020-21: A 500k planned + B 1M + C 200k paid + D 400k paid = 2.1M committed.
    assert fy20.committed == D("2100000.00")
    assert fy20.paid == D("400000") + D("1000000") + D("200000") + D("400000")
    assert fy20.available == D("7900000.00")
    assert fy20.lapse_risk == D("7900000.00")
    assert fy20.outstanding == D("100000.00")
    # FY2021-22: A 1M committed, E 2M in the pipeline.
    assert (fy21.committed, fy21.pipeline, fy21.planned) == (
        D("1000000"),
        D("2000000"),
        D("3000000"),
    )
    assert fy21.unplanned == D("7000000.00")
    assert fy21.lapse_risk is None
    assert fy21.lapsed is None
    assert figures.committed == D("3600000.00")
    assert figures.available == D("21000000.00") - D("3600000.00")
    # Approved projects: A, B and D (the cancelled C and pipeline E are not).
    assert figures.approved_projects == 3
    assert figures.approved_value == D("4000000.00")
    assert figures.countries.reached == {"XAA", "XBB", "XDD"}
    assert figures.countries.count == 3
    assert figures.countries.position == "below"
    assert figures.countries.planned == {"XAA", "XBB", "XDD", "XEE"}


def test_lapse_risk_moves_to_the_next_year_on_1_april():
    on_31_march = envelope_figures(mcee(), PROJECTS, today=date(2021, 3, 31))
    on_1_april = envelope_figures(mcee(), PROJECTS, today=date(2021, 4, 1))
    assert on_31_march.current_year == FY20
    assert on_1_april.current_year == FY21
    assert on_31_march.lapse_risk == D("7900000.00")
    assert on_1_april.lapse_risk == D("9000000.00")
    assert on_1_april.year(FY20).lapsed == D("10000000.00") - D("2000000.00")


def test_no_lapse_risk_outside_the_envelope_years():
    assert envelope_figures(mcee(), PROJECTS, today=date(2030, 1, 1)).lapse_risk is None


def test_money_is_formatted_the_canadian_way():
    assert format_money(D("1250000")) == "$1,250,000.00"
    assert format_money(D("-5.5")) == "-$5.50"
    assert format_money(D("1250000"), language="fr") == "1\u00a0250\u00a0000,00\u00a0$"


@pytest.mark.parametrize("value", [0.1, "1.005", "abc", "NaN", "1e20"])
def test_what_is_not_money_is_refused(value):
    with pytest.raises((TypeError, ValueError)):
        to_money(value)


# Properties --------------------------------------------------------------------------

years_of_envelope = st.integers(min_value=1, max_value=6)


@st.composite
def profiles_and_amendments(draw):
    length = draw(years_of_envelope)
    first = FiscalYear(draw(st.integers(min_value=2000, max_value=2040)))
    last = first + (length - 1)
    amounts = {first + i: draw(cents) for i in range(length)}
    profile = AuthorityProfile.original(first, last, amounts)
    amendments, current = [], profile
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        kind = draw(st.sampled_from(list(AmendmentKind)))
        years = current.years
        if kind == AmendmentKind.EXTENSION:
            new_last = current.last + draw(st.integers(min_value=1, max_value=3))
            source = draw(st.sampled_from(years))
            moved = draw(st.integers(min_value=0, max_value=int(current.authority(source) * 100)))
            moved = D(moved) / 100
            terms = AmendmentTerms(kind, {source: -moved, new_last: moved}, new_last=new_last)
        elif kind == AmendmentKind.REPROFILING:
            source, target = draw(st.sampled_from(years)), draw(st.sampled_from(years))
            moved = D(draw(st.integers(1, 10**9))) / 100
            if source == target or current.authority(source) < moved:
                continue
            terms = AmendmentTerms(kind, {source: -moved, target: moved})
        elif kind == AmendmentKind.INCREASE:
            terms = AmendmentTerms(kind, {draw(st.sampled_from(years)): draw(cents) + D("0.01")})
        else:
            year = draw(st.sampled_from(years))
            if current.authority(year) == 0:
                continue
            cut = D(draw(st.integers(1, int(current.authority(year) * 100)))) / 100
            terms = AmendmentTerms(kind, {year: -cut})
        current = apply_amendments(current, [terms])[-1]
        amendments.append(terms)
    return profile, amendments


@given(profiles_and_amendments())
def test_the_total_moves_only_by_increases_and_decreases(case):
    profile, amendments = case
    stages = apply_amendments(profile, amendments)
    net = sum((t.net_change for t in amendments), D("0.00"))
    assert stages[-1].total == profile.total + net
    for before, terms, after in zip(stages[:-1], amendments, stages[1:], strict=True):
        if terms.kind in {AmendmentKind.EXTENSION, AmendmentKind.REPROFILING}:
            assert after.total == before.total
        assert after.last >= before.last
        assert all(after.authority(y) >= 0 for y in after.years)
        assert after.years == [after.first + i for i in range(after.last - after.first + 1)]


@st.composite
def ledgers(draw):
    years = [FY19, FY20, FY21]
    status = draw(st.sampled_from(list(ProjectStatus)))
    # A schedule as the services accept it: at least one year, adding up to the value.
    chosen = draw(st.lists(st.sampled_from(years), min_size=1, max_size=3, unique=True))
    planned = {y: draw(cents) + D("0.01") for y in chosen}
    value = sum(planned.values(), D("0.00"))
    if status == ProjectStatus.PIPELINE:
        paid = {}
    else:
        paid = {y: D(draw(st.integers(0, int(a * 100)))) / 100 for y, a in planned.items()}
    return ProjectLedger("P", status, value, planned, paid)


@given(st.lists(ledgers(), max_size=8), st.dates(date(2018, 1, 1), date(2023, 12, 31)))
def test_each_year_adds_up(projects, today):
    profile = AuthorityProfile.original(
        FY19, FY21, {FY19: D("5e7"), FY20: D("5e7"), FY21: D("5e7")}
    )
    result = envelope_figures(profile, projects, today=today)
    for year in result.years:
        assert year.available + year.committed == year.authority
        assert year.planned == year.committed + year.pipeline
        assert year.paid <= year.committed
    assert result.committed == sum(committed_by_year(projects).values(), D("0.00"))
    expected = sum(
        (p.agreement_value if p.status in {"approved", "active"} else p.paid_total)
        for p in projects
        if p.status != ProjectStatus.PIPELINE
    )
    assert result.committed == expected
    assert result.paid == sum((p.paid_total for p in projects), D("0.00"))


@given(st.lists(st.tuples(st.dates(date(2019, 3, 25), date(2022, 4, 5)), cents), max_size=30))
def test_payments_are_summed_exactly_in_the_year_of_their_date(payments):
    by_year = paid_by_year(payments)
    assert sum(by_year.values(), D("0.00")) == sum((a for _, a in payments), D("0.00"))
    for day, _amount in payments:
        assert FiscalYear.of(day) in by_year
        boundary = FiscalYear.of(day).end
        assert FiscalYear.of(boundary + timedelta(days=1)) == FiscalYear.of(day).next
