"""The demo data: every classification and every pattern in the default assessment, quickly,
with a saved run and RWG decisions, and only fictional countries."""

import io
import time

from readmit.accounts import demo as accounts_demo
from readmit.assessment import demo, selectors
from readmit.assessment.figures import window_from
from readmit.assessment.models import AssessmentRun
from readmit.engagement.models import Decision
from readmit.intake.models import TravelDocumentRequest


def test_the_demo_shows_every_classification_and_pattern(db):
    out = io.StringIO()
    accounts_demo.load(stdout=out)
    started = time.perf_counter()
    demo.load(stdout=out)
    assert time.perf_counter() - started < 30
    card = selectors.assessment(window=window_from())
    classes = {c["classification"] for c in card.countries}
    patterns = {c["pattern"] for c in card.countries} - {None}
    assert classes == {"cooperative", "at_risk", "recalcitrant", "insufficient_data"}
    assert patterns == {"unwilling", "unable", "mixed"}
    assert len(card.countries) >= 12
    assert all(c["country"].startswith("X") for c in card.countries)
    assert any(c["return_rate_source"] not in (None, "cases") for c in card.countries)
    assert sum(c["td_backlog"] for c in card.countries) > 0
    assert AssessmentRun.objects.exists()
    assert Decision.objects.filter(kind="country").count() == 5


def test_the_demo_is_loaded_once(db):
    out = io.StringIO()
    accounts_demo.load(stdout=out)
    demo.load(stdout=out)
    count = TravelDocumentRequest.objects.count()
    demo.load(stdout=out)
    assert TravelDocumentRequest.objects.count() == count
    assert "already there" in out.getvalue()
