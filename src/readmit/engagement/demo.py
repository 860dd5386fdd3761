"""Demo engagement for fictional countries: RWG meetings and decisions, a plan in each status
with actions, engagements and commitments, and alerts raised by evaluating the triggers.

Runs after the accounts demo (its users "rwg" and "officer") and the assessment demo (its
figures, when there are any). Loading twice changes nothing.
"""

import datetime as dt

from django.utils import timezone

from readmit.accounts.models import User
from readmit.core.models import Country
from readmit.core.services import declare_countries
from readmit.engagement import services
from readmit.engagement.models import EngagementPlan

# Only the codes not already declared (by the assessment's demo) are declared here, so that
# names given elsewhere are kept.
# The plans follow the assessment demo's profiles: Borduria (recalcitrant, unwilling) is
# escalated, Carpania (recalcitrant, unable) active, Avalonia (cooperative again) concluded,
# Freedonia approved, Elbonia submitted, Krakozhia (deferred by the RWG) drafted.
COUNTRIES = [
    ("XAA", "Avalonia", "Avalonie"),
    ("XBB", "Borduria", "Bordurie"),
    ("XCC", "Carpania", "Carpanie"),
    ("XEE", "Elbonia", "Elbonie"),
    ("XFF", "Freedonia", "Freedonie"),
    ("XKK", "Krakozhia", "Krakozhie"),
]


def load(*, stdout) -> None:
    codes = [code for code, _en, _fr in COUNTRIES]
    if EngagementPlan.all_objects.filter(country_id__in=codes).exists():
        stdout.write("  engagement demo already loaded")
        return
    rwg = User.objects.filter(username="rwg").first()
    officer = User.objects.filter(username="officer").first()
    if rwg is None or officer is None:
        stdout.write("  engagement demo skipped: the demo users rwg and officer are missing")
        return
    existing = set(Country.all_objects.filter(code__in=codes).values_list("code", flat=True))
    declare_countries([row for row in COUNTRIES if row[0] not in existing])

    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    def ahead(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    first = services.create_meeting(
        user=rwg,
        held_on=ago(600),
        reference="RWG-DEMO-01",
        attending_departments=["GAC", "CBSA", "IRCC", "PS"],
        agenda="Assessment proposals; methodology; first Engagement Plans.",
        minutes="The RWG reviewed the assessment's proposals country by country.",
    )
    services.record_methodology_approval(
        user=rwg,
        methodology_version="readmit-2026.1",
        decided_on=ago(600),
        meeting=first,
        reference="",
        rationale="Thresholds agreed by the four departments.",
    )
    for code, outcome, why in [
        ("XAA", "targeted", "Issuance below half for a year; most requests unanswered."),
        ("XBB", "targeted", "Almost half of the requests refused outright."),
        ("XCC", "targeted", "Documents arrive months late; the backlog grows."),
        ("XFF", "targeted", "Issuance and timeliness both falling."),
    ]:
        services.record_country_decision(
            user=rwg,
            country_code=code,
            outcome=outcome,
            decided_on=ago(600),
            meeting=first,
            reference="",
            rationale=why,
            proposed_classification="recalcitrant"
            if outcome == "targeted"
            else "insufficient_data",
        )
    second = services.create_meeting(
        user=rwg,
        held_on=ago(540),
        reference="RWG-DEMO-02",
        attending_departments=["GAC", "CBSA", "IRCC"],
        agenda="Engagement Plans for approval.",
    )

    def plan(code, title, *, participating, objectives, until, starts=500):
        made = services.create_plan(
            user=officer,
            country_code=code,
            title=title,
            lead_department="IRCC",
            participating_departments=participating,
            objectives=objectives,
        )
        order = ["submitted", "approved", "active", "escalated", "concluded"]
        for status in order[: order.index(until) + 1] if until != "draft" else []:
            if status == "submitted":
                services.submit_plan(user=officer, plan=made, reason="Ready for the RWG.")
            elif status == "approved":
                services.approve_plan(
                    user=rwg,
                    plan=made,
                    decided_on=second.held_on,
                    meeting=second,
                    reference="",
                    rationale="Departments' roles are clear; targets are measurable.",
                )
            elif status == "active":
                services.activate_plan(user=officer, plan=made, starts_on=ago(starts))
        made.refresh_from_db()
        return made

    carpania_plan = plan(
        "XCC",
        "Timely travel documents through capacity building",
        participating=["CBSA", "GAC"],
        objectives="Issuance rate above 0.8; documents within 30 days for most requests.",
        until="active",
    )
    services.track_indicator(
        user=officer, plan=carpania_plan, indicator="issuance_rate", baseline=0.35, target=0.8
    )
    services.track_indicator(
        user=officer, plan=carpania_plan, indicator="td_backlog", baseline=120, target=40
    )
    demarche = services.record_engagement(
        user=officer,
        plan=carpania_plan,
        kind="demarche",
        held_on=ago(420),
        departments=["GAC", "IRCC"],
        counterpart="Director General, Consular Affairs",
        outcome="Agreed to name a focal point for travel documents.",
    )
    services.add_action(
        user=officer,
        plan=carpania_plan,
        title="Share the list of pending requests with the focal point",
        owner_department="CBSA",
        due_on=ago(45),
        engagement=demarche,
    )
    done = services.add_action(
        user=officer,
        plan=carpania_plan,
        title="Fund a border-management workshop",
        owner_department="IRCC",
        due_on=ago(200),
    )
    services.complete_action(
        user=officer,
        action=done,
        closed_on=ago(210),
        completion_note="Workshop held with the partner organisation; 30 officials trained.",
    )
    services.add_action(
        user=officer,
        plan=carpania_plan,
        title="Prepare the technical mission's terms of reference",
        owner_department="IRCC",
        due_on=ahead(20),
    )
    services.record_engagement(
        user=officer,
        plan=carpania_plan,
        kind="technical_mission",
        held_on=ahead(40),
        departments=["IRCC", "CBSA"],
        counterpart="Civil registry and passport office",
    )
    services.add_commitment(
        user=officer,
        plan=carpania_plan,
        kind="mou",
        title="Removals memorandum of understanding",
        status="negotiating",
        status_since=ago(480),
    )

    borduria = plan(
        "XBB",
        "Restoring cooperation on returns",
        participating=["CBSA", "GAC", "PS"],
        objectives="Refusals below one in ten; a signed written commitment.",
        until="active",
        starts=480,
    )
    services.record_engagement(
        user=officer,
        plan=borduria,
        kind="officials_meeting",
        held_on=ago(300),
        departments=["CBSA", "GAC"],
        counterpart="Ministry of Interior",
        outcome="No change; refusals continue.",
    )
    services.approve_escalation(
        user=rwg,
        step=borduria.escalation_steps.get(order=1),
        decided_on=ago(250),
        reference="RWG-DEMO-03",
        rationale="Issuance below half for two quarters after the officials' meeting.",
    )
    services.approve_escalation(
        user=rwg,
        step=borduria.escalation_steps.get(order=2),
        decided_on=ago(120),
        reference="RWG-DEMO-04",
        rationale="No improvement after officials-level engagement.",
    )
    services.record_engagement(
        user=officer,
        plan=borduria,
        kind="ministerial_meeting",
        held_on=ahead(25),
        departments=["GAC"],
        counterpart="Minister of Foreign Affairs",
    )
    services.add_commitment(
        user=officer,
        plan=borduria,
        kind="readmission_agreement",
        title="Readmission agreement",
        status="not_started",
        status_since=ago(480),
    )

    avalonia = plan(
        "XAA",
        "Timely documents from Avalonia",
        participating=["CBSA"],
        objectives="Documents within 30 days.",
        until="active",
        starts=520,
    )
    letter = services.add_commitment(
        user=officer,
        plan=avalonia,
        kind="written_commitment",
        title="Written commitment to improve removals processes",
        status="negotiating",
        status_since=ago(500),
    )
    services.record_commitment_status(
        user=officer,
        commitment=letter,
        status="signed",
        changed_on=ago(380),
        note="Letter from the Minister of Interior received.",
    )
    services.conclude_plan(
        user=rwg,
        plan=avalonia,
        reason="Nearly all documents requested issued in the last quarters.",
        ends_on=ago(60),
    )
    services.record_country_decision(
        user=rwg,
        country_code="XAA",
        outcome="monitored",
        decided_on=ago(60),
        reference="RWG-DEMO-05",
        rationale="Cooperation restored; keep watching the figures.",
    )

    plan(
        "XFF",
        "Reducing the travel-document backlog",
        participating=["CBSA"],
        objectives="Backlog halved within a year.",
        until="approved",
    )
    plan(
        "XEE",
        "Engagement with Elbonia",
        participating=["GAC"],
        objectives="A removals MOU; issuance above half.",
        until="submitted",
    )
    plan(
        "XKK",
        "Possible engagement with Krakozhia",
        participating=[],
        objectives="To be completed if the RWG targets the country.",
        until="draft",
    )

    evaluation = services.evaluate_triggers(user=rwg, as_of=today)
    stdout.write(
        f"  6 Engagement Plans (one in each status), {len(evaluation.raised)} alerts raised"
        + ("" if evaluation.figures_available else " (no assessment figures yet)")
    )
