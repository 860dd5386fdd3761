"""The federal fiscal year: 1 April to 31 March, written FY2024-25."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readmit.core.fiscal import FiscalYear, fiscal_years, fiscal_years_between

days = st.dates(min_value=date(1902, 1, 1), max_value=date(2996, 12, 31))
years = st.integers(min_value=1901, max_value=2997).map(FiscalYear)


def test_31_march_closes_the_year_and_1_april_opens_the_next():
    assert FiscalYear.of(date(2025, 3, 31)) == FiscalYear(2024)
    assert FiscalYear.of(date(2025, 4, 1)) == FiscalYear(2025)
    assert FiscalYear.of(date(2025, 1, 1)) == FiscalYear(2024)
    assert FiscalYear.of(date(2024, 12, 31)) == FiscalYear(2024)


def test_a_leap_day_belongs_to_the_year_that_started_the_april_before():
    assert FiscalYear.of(date(2024, 2, 29)) == FiscalYear(2023)
    assert FiscalYear(2023).days == 366
    assert FiscalYear(2024).days == 365


def test_start_end_and_labels():
    year = FiscalYear(2024)
    assert year.start == date(2024, 4, 1)
    assert year.end == date(2025, 3, 31)
    assert str(year) == "FY2024-25"
    assert year.long_label == "FY2024-2025"
    assert FiscalYear(1999).label == "FY1999-00"


@pytest.mark.parametrize(
    "text", ["FY2024-25", "fy2024-25", "FY2024-2025", "2024-25", "2024-2025", " FY 2024 - 25 "]
)
def test_the_written_forms_are_read(text):
    assert FiscalYear.parse(text) == FiscalYear(2024)


def test_the_century_turn_is_read():
    assert FiscalYear.parse("FY1999-00") == FiscalYear(1999)
    assert FiscalYear.parse("FY1999-2000") == FiscalYear(1999)


@pytest.mark.parametrize("text", ["FY2024-26", "FY2024", "2024", "FY24-25", "", "next year"])
def test_what_is_not_a_fiscal_year_is_refused_with_the_right_form(text):
    with pytest.raises(ValueError, match="fiscal year"):
        FiscalYear.parse(text)


def test_next_previous_and_arithmetic():
    year = FiscalYear(2024)
    assert year.next == FiscalYear(2025)
    assert year.previous == FiscalYear(2023)
    assert year + 3 == FiscalYear(2027)
    assert year - 1 == FiscalYear(2023)
    assert FiscalYear(2027) - year == 3


def test_ranges_include_both_ends_and_are_ordered():
    assert fiscal_years(FiscalYear(2019), FiscalYear(2021)) == [
        FiscalYear(2019),
        FiscalYear(2020),
        FiscalYear(2021),
    ]
    assert fiscal_years(FiscalYear(2021), FiscalYear(2019)) == []
    assert fiscal_years_between(date(2020, 3, 31), date(2020, 4, 1)) == [
        FiscalYear(2019),
        FiscalYear(2020),
    ]


def test_a_fiscal_year_keys_a_dict_and_sorts():
    amounts = {FiscalYear(2021): 3, FiscalYear(2019): 1, FiscalYear(2020): 2}
    assert [amounts[year] for year in sorted(amounts)] == [1, 2, 3]
    assert FiscalYear(2019) < FiscalYear(2020)


def test_days_left_to_31_march():
    year = FiscalYear(2024)
    assert year.days_left(date(2025, 3, 31)) == 1
    assert year.days_left(date(2025, 4, 1)) == 0
    assert year.days_left(date(2024, 3, 31)) == 365


def test_a_start_year_must_be_an_int():
    with pytest.raises(TypeError):
        FiscalYear("2024")
    with pytest.raises(ValueError, match="plausible"):
        FiscalYear(24)


@given(days)
def test_every_date_lies_in_its_fiscal_year(day):
    year = FiscalYear.of(day)
    assert year.start <= day <= year.end
    assert day in year
    assert day not in year.next
    assert day not in year.previous


@given(days)
def test_the_day_after_31_march_is_always_the_next_year(day):
    year = FiscalYear.of(day)
    if day == year.end:
        assert FiscalYear.of(day + timedelta(days=1)) == year.next
    else:
        assert FiscalYear.of(day + timedelta(days=1)) == year


@given(years)
def test_consecutive_years_touch_without_gap_or_overlap(year):
    assert year.end + timedelta(days=1) == year.next.start
    assert year.next.previous == year
    assert year.days in {365, 366}


@given(years)
def test_the_label_reads_back(year):
    assert FiscalYear.parse(year.label) == year
    assert FiscalYear.parse(year.long_label) == year


@given(years, years)
def test_ordering_follows_the_start_dates(first, second):
    assert (first < second) == (first.start < second.start)
    assert len(fiscal_years(first, second)) == max(0, second - first + 1)
