"""The staging table's side of an ingest: what it stages, and which columns it writes."""

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from readmit.intake.storage import TARGETS, day_numbers

EPOCH = dt.date(1970, 1, 1)
ANY_DATE = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))


@given(st.lists(st.none() | ANY_DATE))
def test_dates_are_staged_as_day_numbers_none_where_empty(dates: list[dt.date | None]) -> None:
    staged = np.array([np.datetime64("NaT") if d is None else d for d in dates], "datetime64[D]")

    assert day_numbers(staged) == [None if d is None else (d - EPOCH).days for d in dates]


def test_every_column_of_a_target_is_written_by_the_ingest_and_no_generated_one() -> None:
    for target in TARGETS.values():
        fields = target.model._meta.concrete_fields
        written = {field.column for field in fields if not field.generated} - {"id", "ingest_id"}

        assert {column.column for column in target.columns} == written, target.kind
