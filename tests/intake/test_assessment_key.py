"""The assessment key the database computes for each request is the layout `intake.keys`
reads back: for every date the intake accepts, every outcome, with or without a decision."""

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
    days = np.array([FIRST, -1, 0, 1, LAST])
    packed = keys.pack(days, [3, 0, 1, 2, 3], [LAST - FIRST, 0, 5, 0, 0])
    assert (np.diff(packed) > 0).all()
    assert keys.first_key_of_day(0) <= packed[2] <= keys.last_key_of_day(0)


CASES = [  # requested_on, outcome, decided_on, interview asked, interview held
    ("0001-01-01", "issued", "9999-12-31", "0001-01-01", ""),
    ("1969-12-31", "refused", "1970-01-01", "", "1969-12-31"),
    ("2024-02-29", "withdrawn", "2024-02-29", "2024-03-01", "2024-03-02"),
    ("2024-03-01", "pending", "", "", ""),
    ("9999-12-31", "issued", "9999-12-31", "9999-12-31", "9999-12-31"),
]


def expected_keys(row) -> tuple[int, int]:
    def day(text):
        return day_number(dt.date.fromisoformat(text)) if text else None

    requested, outcome, decided, asked, held = row
    return keys.request_keys(day(requested), outcome, day(decided), day(asked), day(held))


def test_the_ingest_and_the_model_fill_the_same_keys(db, csv_file):
    rows = [
        f"R{number},,FRA,{requested},passport,{asked},{held},{outcome},{decided}"
        for number, (requested, outcome, decided, asked, held) in enumerate(CASES)
    ]
    ingest_file(kind="requests", path=csv_file("requests", *rows), user=None)
    stored = dict(TravelDocumentRequest.objects.values_list("request_id", "assessment_key"))
    interview = dict(TravelDocumentRequest.objects.values_list("request_id", "interview_key"))
    for number, row in enumerate(CASES):
        assert (stored[f"R{number}"], interview[f"R{number}"]) == expected_keys(row), row


def test_unpacked_keys_give_back_the_columns(db, csv_file):
    rows = [
        f"R{number},,FRA,{requested},passport,{asked},{held},{outcome},{decided}"
        for number, (requested, outcome, decided, asked, held) in enumerate(CASES)
    ]
    ingest_file(kind="requests", path=csv_file("requests", *rows), user=None)
    for stored in TravelDocumentRequest.objects.all():
        unpacked = keys.unpack(np.array([stored.assessment_key]))
        assert unpacked.requested_day[0] == stored.requested_day
        if stored.decided_day is None:
            assert unpacked.outcome_code[0] == keys.NO_DECISION
        else:
            assert keys.DECIDED_OUTCOMES[unpacked.outcome_code[0]] == stored.outcome
            assert unpacked.decision_days[0] == stored.decided_day - stored.requested_day
        has_dates = (stored.interview_requested_day, stored.interview_held_day) != (None, None)
        assert unpacked.has_interview[0] == has_dates == (stored.interview_key is not None)
        asked, held = keys.interviews_by(
            np.array([stored.interview_key or 0]), stored.requested_day
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
