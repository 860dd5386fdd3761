"""The demo set: a plan in each status for fictional countries, with a fired alert."""

import io

import pytest
from django.core.management import call_command

from readmit.core.models import Country
from readmit.engagement.models import Alert, EngagementPlan, PlanStatus


@pytest.mark.django_db
def test_the_demo_has_a_plan_in_each_status_and_a_fired_alert(no_series):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    plans = EngagementPlan.objects.all()
    assert {p.status for p in plans} == set(PlanStatus.values)
    assert all(Country.objects.get(code=p.country_id).is_user_assigned for p in plans)
    assert all(p.country_id.startswith("X") for p in plans)
    assert Alert.objects.exists()
    active = plans.get(status=PlanStatus.ACTIVE)
    assert active.actions.exists()
    assert active.engagements.exists()
    assert active.commitments.exists()

    call_command("load_demo", stdout=io.StringIO())
    assert EngagementPlan.objects.count() == plans.count()


@pytest.mark.django_db
def test_every_demo_page_opens_for_the_rwg(client, no_series):
    call_command("load_demo", stdout=io.StringIO())
    from readmit.accounts.models import User

    client.force_login(User.objects.get(username="rwg"))
    for plan in EngagementPlan.objects.all():
        for language in ("en", "fr"):
            response = client.get(f"/{language}/engagement/plans/{plan.pk}/")
            assert response.status_code == 200, (plan, language)
    for page in ("", "alerts/", "meetings/", "calendar/", "summary/"):
        assert client.get(f"/en/engagement/{page}").status_code == 200, page
