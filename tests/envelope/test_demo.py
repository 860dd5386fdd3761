"""The demo envelope has the seed's shape: $21M extended to FY2024-25, three projects for $4M."""

import io

import pytest
from django.core.management import call_command

from readmit.accounts import demo as accounts_demo
from readmit.core.fiscal import FiscalYear
from readmit.envelope import demo, selectors
from readmit.envelope.models import Envelope

pytestmark = pytest.mark.django_db


def test_the_demo_envelope_matches_the_seed(tmp_path):
    out = io.StringIO()
    accounts_demo.load(stdout=out)
    demo.load(stdout=out)
    demo.load(stdout=out)  # a second run changes nothing
    envelope = Envelope.objects.get(short_name="MCEE")
    history = selectors.authority_history(envelope)
    assert history[0].profile.last == FiscalYear(2021)
    assert history[-1].profile.last == FiscalYear(2024)
    assert history[-1].amendment.approving_authority == "Department of Finance"
    result = selectors.envelope_figures(envelope)
    assert str(result.authority) == "21000000.00"
    assert result.approved_projects == 3
    assert str(result.approved_value) == "4000000.00"
    assert result.pipeline_projects == 2
    assert result.countries.count == 4
    output = tmp_path / "iati.xml"
    call_command("export_iati", "--output", str(output), stderr=io.StringIO())
    assert output.read_bytes().count(b"<iati-activity ") == 3
