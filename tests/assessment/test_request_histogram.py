"""The histogram the assessment builds from the requests' keys is the contract's, request by
request: state at D, t, interview counts, whatever the windows (with gaps or not) and the
countries asked for; read side by side or one statement at a time, the answers are the same."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.test import override_settings

from readmit.assessment import queries
from readmit.assessment.figures import Window
from readmit.intake.models import TravelDocumentRequest
from tests.assessment.builders import request

WINDOW_SETS = {
    "one year": [Window(dt.date(2019, 1, 1), dt.date(2019, 12, 31), dt.date(2020, 2, 1))],
    "quarters": [
        Window(dt.date(2019, 1, 1), dt.date(2019, 3, 31), dt.date(2019, 3, 31)),
        Window(dt.date(2019, 4, 1), dt.date(2019, 6, 30), dt.date(2019, 6, 30)),
        Window(dt.date(2019, 7, 1), dt.date(2019, 9, 30), dt.date(2019, 9, 30)),
    ],
    "with a gap, out of order": [
        Window(dt.date(2019, 6, 1), dt.date(2019, 8, 31), dt.date(2019, 9, 1)),
        Window(dt.date(2019, 1, 1), dt.date(2019, 2, 28), dt.date(2019, 3, 15)),
    ],
}


def make_random_requests():
    rng = random.Random(20201117)
    for _ in range(300):
        code = rng.choice(["XAA", "XBB", "XCC"])
        requested = dt.date(2018, 11, 1) + dt.timedelta(days=rng.randrange(420))
        outcome = rng.choice(["issued", "refused", "withdrawn", "pending"])
        decided = requested + dt.timedelta(days=rng.randrange(0, 200))
        asked = requested + dt.timedelta(days=rng.randrange(0, 40))
        held = asked + dt.timedelta(days=rng.randrange(0, 60))
        request(
            code,
            requested.isoformat(),
            outcome,
            None if outcome == "pending" else decided.isoformat(),
            interview_requested_on=asked.isoformat() if rng.random() < 0.5 else None,
            interview_held_on=held.isoformat() if rng.random() < 0.3 else None,
        )


@pytest.fixture
def random_requests(db):
    make_random_requests()


STATES = {"issued": 1, "refused": 2, "withdrawn": 3}


def reference(windows, countries) -> tuple[Counter, Counter]:
    """The contract's definitions, one request at a time."""
    histogram, interviews = Counter(), Counter()
    for row in TravelDocumentRequest.objects.all():
        if countries and row.country_id not in countries:
            continue
        for index, window in enumerate(windows):
            if not window.start <= row.requested_on <= window.end:
                continue
            d = window.as_of
            if row.outcome != "pending" and row.decided_on and row.decided_on <= d:
                state, t = STATES[row.outcome], (row.decided_on - row.requested_on).days
            else:
                state, t = 4, (d - row.requested_on).days
            histogram[(row.country_id, index, state, t)] += 1
            asked = row.interview_requested_on is not None and row.interview_requested_on <= d
            held = row.interview_held_on is not None and row.interview_held_on <= d
            interviews[(row.country_id, index)] += 0
            interviews[(row.country_id, index, "asked")] += asked
            interviews[(row.country_id, index, "held")] += held
    return +histogram, +interviews


def read_histogram(windows, countries) -> tuple[Counter, Counter]:
    built = queries.read(windows, countries).requests
    histogram = Counter()
    for code, w, state, t, count in zip(
        built.codes, built.window, built.state, built.t, built.count, strict=True
    ):
        histogram[(str(code), int(w), int(state), int(t))] += int(count)
    interviews = Counter()
    for code, w, asked, held in zip(
        built.interview_codes,
        built.interview_window,
        built.interviews_requested,
        built.interviews_held,
        strict=True,
    ):
        interviews[(str(code), int(w), "asked")] += int(asked)
        interviews[(str(code), int(w), "held")] += int(held)
    return +histogram, +interviews


@pytest.mark.parametrize("windows", list(WINDOW_SETS.values()), ids=list(WINDOW_SETS))
@pytest.mark.parametrize("countries", [None, ["XBB"], ["XAA", "XCC"]])
def test_the_histogram_is_the_contracts_request_by_request(random_requests, windows, countries):
    expected = reference(windows, countries)
    assert read_histogram(windows, countries) == expected
    assert sum(expected[0].values()) > 0


def test_an_empty_window_gives_an_empty_histogram(db):
    window = [Window(dt.date(2019, 1, 1), dt.date(2019, 12, 31), dt.date(2019, 12, 31))]
    built = queries.read(window, None).requests
    assert built.count.size == 0
    assert built.codes.size == 0


@pytest.mark.django_db(transaction=True)
def test_reading_side_by_side_gives_what_reading_one_by_one_gives():
    make_random_requests()
    if not queries._may_read_side_by_side():
        pytest.skip("this database is SQLite's in-memory one: connections cannot share it")
    windows = WINDOW_SETS["quarters"]
    with override_settings(READMIT_ASSESSMENT_READERS=1):
        one_by_one = queries.read(windows, None)
    with override_settings(READMIT_ASSESSMENT_READERS=2):
        side_by_side = queries.read(windows, None)
    assert one_by_one.requests.count.sum() > 0
    for field in ("orders", "removals", "aggregates"):
        assert sorted(getattr(one_by_one, field)) == sorted(getattr(side_by_side, field))
    for histogram in ("requests", "backlog"):
        first, second = getattr(one_by_one, histogram), getattr(side_by_side, histogram)
        for name, values in vars(first).items():
            assert values.tolist() == getattr(second, name).tolist(), (histogram, name)
