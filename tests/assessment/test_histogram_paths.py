"""The two ways of grouping the requests (one GROUP BY; on SQLite a sort-free pass of the
index) give the same histogram, whatever the windows and the countries asked for."""

import datetime as dt
import random

import numpy as np
import pytest
from django.db import connection

from readmit.assessment import figures
from readmit.assessment.figures import Window
from tests.assessment.builders import request

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the sort-free pass is SQLite's"
)

WINDOW_SETS = {
    "one year": [Window(dt.date(2019, 1, 1), dt.date(2019, 12, 31), dt.date(2020, 2, 1))],
    "quarters": [
        Window(dt.date(2019, 1, 1), dt.date(2019, 3, 31), dt.date(2019, 3, 31)),
        Window(dt.date(2019, 4, 1), dt.date(2019, 6, 30), dt.date(2019, 6, 30)),
        Window(dt.date(2019, 7, 1), dt.date(2019, 9, 30), dt.date(2019, 9, 30)),
    ],
    "with a gap": [
        Window(dt.date(2019, 1, 1), dt.date(2019, 2, 28), dt.date(2019, 3, 15)),
        Window(dt.date(2019, 6, 1), dt.date(2019, 8, 31), dt.date(2019, 9, 1)),
    ],
}


@pytest.fixture
def random_requests(db):
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


def as_counts(histogram) -> tuple[dict, dict]:
    requests = {
        (str(code), int(w), int(state), int(t)): int(count)
        for code, w, state, t, count in zip(
            histogram.codes,
            histogram.window,
            histogram.state,
            histogram.t,
            histogram.count,
            strict=True,
        )
    }
    interviews: dict = {}
    for code, w, asked, held in zip(
        histogram.interview_codes,
        histogram.interview_window,
        histogram.interviews_requested,
        histogram.interviews_held,
        strict=True,
    ):
        previous = interviews.get((str(code), int(w)), (0, 0))
        interviews[(str(code), int(w))] = (previous[0] + int(asked), previous[1] + int(held))
    return requests, {key: value for key, value in interviews.items() if value != (0, 0)}


@pytest.mark.parametrize("windows", list(WINDOW_SETS.values()), ids=list(WINDOW_SETS))
@pytest.mark.parametrize("countries", [None, ["XBB"], ["XAA", "XCC"]])
def test_both_paths_give_the_same_histogram(random_requests, windows, countries):
    grouped = as_counts(figures._request_histogram_grouped(windows, countries))
    streamed = as_counts(figures._request_histogram_streamed(windows, countries))
    assert grouped == streamed
    assert sum(grouped[0].values()) > 0


def test_an_empty_window_gives_an_empty_histogram(db):
    window = [Window(dt.date(2019, 1, 1), dt.date(2019, 12, 31), dt.date(2019, 12, 31))]
    histogram = figures._request_histogram_streamed(window, None)
    assert histogram.count.size == 0
    assert np.asarray(histogram.codes).size == 0
