"""The assessment key the database computes for each request is the layout `intake.keys`
reads back: for every date the intake accepts, every outcome, with or without a decision or
interview dates; keys written end to end are read back unit by unit."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from readmit.intake import keys
from readmit.intake.keys import day_number
from readmit.intake.models import TravelDocumentRequest
from readmit.intake.services import ingest_file
from tests.assessment.builders import request

FIRST, LAST = day_number(dt.date(1, 1, 1)), day_number(dt.date(9999, 12, 31))


@given(
    requested=st.integers(FIRST, LAST),
    outcome=st.integers(0, 3),
    data=st.data(),
)
def test_unpacking_gives_back_what_was_packed(requested, outcome, data):
    days = data.draw(st.integers(0, LAST - requested))
    unpacked = keys.unpack(keys.pack([requested], [outcome], [days]))
    assert (unpacked.requested_day[0], unpacked.outcome_code[0]) == (requested, outcome)
    assert unpacked.decision_days[0] == days


def test_keys_sort_like_the_request_days():
    days = [FIRST, -1, 0, 1, LAST]
    texts = [
        keys.request_key(day, outcome, decided, asked, None)
        for day, outcome, decided, asked in zip(
            days,
            ["pending", "issued", "refused", "withdrawn", "pending"],
            [None, -1, 5, 1, None],
            [FIRST, None, 3, None, LAST],
            strict=True,
        )
    ]
    assert texts == sorted(texts)
    lowest, beyond = keys.key_range(0, 0)
    assert [lowest <= text < beyond for text in texts] == [False, False, True, False, False]


@given(
    st.lists(
        st.tuples(
            st.integers(FIRST, LAST),
            st.sampled_from(["issued", "refused", "withdrawn", "pending"]),
            st.integers(0, 400),
            st.one_of(st.none(), st.integers(FIRST, LAST)),
            st.one_of(st.none(), st.integers(FIRST, LAST)),
        ),
        max_size=20,
    )
)
def test_keys_end_to_end_are_read_back_unit_by_unit(requests):
    texts, expected = [], []
    for requested, outcome, days, asked, held in requests:
        decided = min(requested + days, LAST) if outcome != "pending" else None
        texts.append(keys.request_key(requested, outcome, decided, asked, held))
        expected.append((requested, asked, held))
    request_units, interview_units = keys.split_units(keys.units("".join(texts)))
    unpacked = keys.unpack(request_units)
    assert unpacked.requested_day.tolist() == [requested for requested, _, _ in expected]
    with_interview = [(asked, held) for _, asked, held in expected if (asked, held) != (None, None)]
    assert unpacked.has_interview.sum() == len(with_interview) == interview_units.size
    for unit, (asked, held) in zip(interview_units.tolist(), with_interview, strict=True):
        assert unit >> keys.INTERVIEW_SHIFT == (0 if asked is None else asked + keys.DAY_BIAS)
        assert unit & keys.INTERVIEW_DAY_MASK == (0 if held is None else held + keys.DAY_BIAS)


CASES = [  # requested_on, outcome, decided_on, interview asked, interview held
    ("0001-01-01", "issued", "9999-12-31", "0001-01-01", ""),
    ("1969-12-31", "refused", "1970-01-01", "", "1969-12-31"),
    ("2024-02-29", "withdrawn", "2024-02-29", "2024-03-01", "2024-03-02"),
    ("2024-03-01", "pending", "", "", ""),
    ("9999-12-31", "issued", "9999-12-31", "9999-12-31", "9999-12-31"),
]


def expected_key(row) -> str:
    def day(text):
        return day_number(dt.date.fromisoformat(text)) if text else None

    requested, outcome, decided, asked, held = row
    return keys.request_key(day(requested), outcome, day(decided), day(asked), day(held))


def test_the_ingest_and_the_model_fill_the_same_keys(db, csv_file):
    rows = [
        f"R{number},,FRA,{requested},passport,{asked},{held},{outcome},{decided}"
        for number, (requested, outcome, decided, asked, held) in enumerate(CASES)
    ]
    ingest_file(kind="requests", path=csv_file("requests", *rows), user=None)
    stored = dict(TravelDocumentRequest.objects.values_list("request_id", "assessment_key"))
    for number, row in enumerate(CASES):
        assert stored[f"R{number}"] == expected_key(row), row


def test_unpacked_keys_give_back_the_columns(db, csv_file):
    rows = [
        f"R{number},,FRA,{requested},passport,{asked},{held},{outcome},{decided}"
        for number, (requested, outcome, decided, asked, held) in enumerate(CASES)
    ]
    ingest_file(kind="requests", path=csv_file("requests", *rows), user=None)
    for stored in TravelDocumentRequest.objects.all():
        request_units, interview_units = keys.split_units(keys.units(stored.assessment_key))
        unpacked = keys.unpack(request_units)
        assert unpacked.requested_day[0] == stored.requested_day
        if stored.decided_day is None:
            assert unpacked.outcome_code[0] == keys.NO_DECISION
        else:
            assert keys.DECIDED_OUTCOMES[unpacked.outcome_code[0]] == stored.outcome
            assert unpacked.decision_days[0] == stored.decided_day - stored.requested_day
        has_dates = (stored.interview_requested_day, stored.interview_held_day) != (None, None)
        assert unpacked.has_interview[0] == has_dates == (interview_units.size == 1)
        asked, held = keys.interviews_by(
            interview_units if has_dates else np.zeros(1, dtype=np.int64), stored.requested_day
        )
        assert asked[0] == (stored.interview_requested_day == stored.requested_day)
        assert held[0] == (
            stored.interview_held_day is not None
            and stored.interview_held_day <= stored.requested_day
        )


def test_updating_what_the_keys_are_made_of_is_refused(db):
    request("XAA", "2024-01-01", "pending")
    with pytest.raises(ValueError, match="outcome"):
        TravelDocumentRequest.objects.update(outcome="issued")
    assert TravelDocumentRequest.objects.update(document_type="passport") == 1
