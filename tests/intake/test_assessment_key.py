"""The assessment key the database computes for each request is the layout `intake.keys`
reads back: for every date the intake accepts, every outcome, with or without a decision."""

import datetime as dt

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from readmit.intake import keys
from readmit.intake.keys import day_number
from readmit.intake.models import TravelDocumentRequest
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


def test_the_database_computes_the_same_key(db):
    cases = [
        ("0001-01-01", "issued", "9999-12-31"),
        ("1969-12-31", "refused", "1970-01-01"),
        ("2024-02-29", "withdrawn", "2024-02-29"),
        ("2024-03-01", "pending", None),
        ("9999-12-31", "issued", "9999-12-31"),
    ]
    for requested, outcome, decided in cases:
        request("XAA", requested, outcome, decided)
    stored = TravelDocumentRequest.objects.order_by("requested_day").values_list(
        "assessment_key", "requested_day", "outcome", "decided_day"
    )
    for key, requested_day, outcome, decided_day in stored:
        unpacked = keys.unpack(np.array([key]))
        assert unpacked.requested_day[0] == requested_day
        if decided_day is None:
            assert unpacked.outcome_code[0] == keys.NO_DECISION
            assert unpacked.decision_days[0] == 0
        else:
            assert keys.DECIDED_OUTCOMES[unpacked.outcome_code[0]] == outcome
            assert unpacked.decision_days[0] == decided_day - requested_day
