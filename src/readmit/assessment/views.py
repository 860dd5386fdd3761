"""The assessment's pages: the scorecard, a country, runs and methodologies.

Thin: each view reads its input with a form, calls a selector or a service and renders.
Who sees what is decided in `selectors` (and `accounts.rules`); a refusal renders the same
words whatever was asked, so that it reveals nothing about a country.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from readmit.accounts import rules
from readmit.assessment import charts, exports, selectors, services
from readmit.assessment.figures import window_from
from readmit.assessment.forms import (
    CLASSIFICATIONS,
    DecisionForm,
    MethodologyForm,
    RunForm,
    parameters_from,
)
from readmit.assessment.models import Methodology
from readmit.core.errors import DomainError, PermissionRefused


def _refused(request, error: DomainError | None = None) -> HttpResponse:
    error = error or selectors.targeting_refused()
    return render(request, "assessment/refused.html", {"message": error.message}, status=403)


def _parameters_query(request) -> str:
    """The window and methodology of the current request, to carry into links."""
    query = request.GET.copy()
    for name in list(query):
        if name not in ("from", "to", "as_of", "methodology"):
            del query[name]
    return query.urlencode()


# ---------------------------------------------------------------------------
# The scorecard

SORTABLE_COLUMNS = (
    ("country", gettext_lazy("Code"), False),
    ("name", gettext_lazy("Country"), False),
    ("requests", gettext_lazy("Requests"), True),
    ("eligible", gettext_lazy("Eligible"), True),
    ("issuance_rate", gettext_lazy("Issuance rate (95% CI)"), True),
    ("refusal_rate", gettext_lazy("Refusal rate"), True),
    ("median_days_to_issue", gettext_lazy("Median days to issue"), True),
    ("issued_within_30d", gettext_lazy("Issued within 30 days"), True),
    ("overdue_share", gettext_lazy("Overdue share"), True),
    ("return_rate", gettext_lazy("Return rate"), True),
    ("td_backlog", gettext_lazy("TD backlog"), True),
    ("classification", gettext_lazy("Classification"), False),
)


def _next_order(sort: str, descending: bool) -> dict[str, str]:
    """The order a click on each column header asks for: the other one on the sorted column."""
    return {
        key: ("desc" if key == sort and not descending else "asc")
        for key, _title, _is_number in SORTABLE_COLUMNS
    }


@require_GET
def scorecard(request):
    form, window, methodology = parameters_from(request.GET)
    context = {
        "form": form,
        "classifications": CLASSIFICATIONS,
        "sort_keys": selectors.SORT_KEYS,
        "parameters_query": _parameters_query(request),
        "may_view_targeting": rules.can_view_targeting(request.user),
    }
    if window is not None:
        try:
            card = selectors.scorecard(user=request.user, window=window, methodology=methodology)
        except PermissionRefused as error:
            return _refused(request, error)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            sort = request.GET.get("sort", "country")
            descending = request.GET.get("order") == "desc"
            classification = request.GET.get("classification") or None
            context |= {
                "card": card,
                "rows": selectors.scorecard_rows(
                    user=request.user,
                    card=card,
                    sort=sort,
                    descending=descending,
                    classification=classification,
                ),
                "sort": sort,
                "descending": descending,
                "columns": SORTABLE_COLUMNS,
                "next_order": _next_order(sort, descending),
                "classification": classification,
            }
    template = "assessment/scorecard.html"
    if request.htmx and request.htmx.target == "scorecard-table":
        template = "assessment/partials/scorecard_table.html"
    return render(request, template, context)


@require_GET
def scorecard_download(request, file_format: str):
    form, window, methodology = parameters_from(request.GET)
    if window is None:
        messages.error(request, " ".join(form.non_field_errors()) or _("Check the dates given."))
        return redirect("assessment:scorecard")
    try:
        card = selectors.scorecard(user=request.user, window=window, methodology=methodology)
    except PermissionRefused as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessment:scorecard")
    period = f"{card.window.start}-{card.window.end}-as-of-{card.window.as_of}"
    # The name carries the marking of what is inside: every country's classification.
    stem = f"protected-b-scorecard-{period}" if card.may_view_countries else f"totals-{period}"
    if file_format == "xlsx":
        response = HttpResponse(
            exports.scorecard_xlsx(card),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(exports.scorecard_csv(card), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response


# ---------------------------------------------------------------------------
# One country


def _country_context(request, code: str, decision_form: DecisionForm | None = None):
    form, window, methodology = parameters_from(request.GET)
    if window is None:
        raise DomainError(" ".join(form.non_field_errors()) or _("Check the dates given."))
    detail = selectors.country_assessment(
        user=request.user, code=code, window=window, methodology=methodology
    )
    may_record = rules.can_record_rwg_decision(request.user) and selectors.decisions_available()
    if may_record and decision_form is None:
        decision_form = DecisionForm(
            outcomes=selectors.decision_outcomes(),
            meetings=selectors.meetings_for(user=request.user),
        )
    return {
        "form": form,
        "detail": detail,
        "country": detail.figures,
        "local_name": selectors.local_names([detail.code]).get(detail.code, detail.code),
        "reasons": selectors.translated_reasons(detail.figures, detail.scorecard.thresholds, _),
        "charts": charts.country_charts(detail.series),
        "decision_form": decision_form if may_record else None,
        "decisions_available": selectors.decisions_available(),
        "parameters_query": _parameters_query(request),
    }


@require_GET
def country(request, code: str):
    if not rules.can_view_targeting(request.user):
        return _refused(request)
    try:
        context = _country_context(request, code.upper())
    except PermissionRefused as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("assessment:scorecard")
    return render(request, "assessment/country.html", context)


@require_POST
def record_decision(request, code: str):
    if not rules.can_record_rwg_decision(request.user):
        return _refused(request)
    code = code.upper()
    form = DecisionForm(
        request.POST,
        outcomes=selectors.decision_outcomes(),
        meetings=selectors.meetings_for(user=request.user),
    )
    if form.is_valid():
        _form, window, methodology = parameters_from(request.GET)
        try:
            services.record_decision_on_proposal(
                user=request.user,
                country_code=code,
                outcome=form.cleaned_data["outcome"],
                decided_on=form.cleaned_data["decided_on"],
                reference=form.cleaned_data["reference"],
                rationale=form.cleaned_data["rationale"],
                meeting=selectors.meeting_for(user=request.user, pk=form.cleaned_data["meeting"]),
                window=window,
                methodology=methodology,
            )
        except PermissionRefused as error:
            return _refused(request, error)
        except DomainError as error:
            form.add_error(None, error.message)
            for detail in error.details:
                form.add_error(None, detail)
        else:
            messages.success(request, _("The RWG’s decision is recorded beside the proposal."))
            url = reverse("assessment:country", args=[code])
            query = _parameters_query(request)
            return redirect(f"{url}?{query}" if query else url)
    try:
        context = _country_context(request, code, decision_form=form)
    except DomainError as error:
        return _refused(request, error)
    return render(request, "assessment/country.html", context, status=400)


# ---------------------------------------------------------------------------
# Runs


@require_http_methods(["GET", "POST"])
def runs(request):
    may_run = rules.can_run_assessment(request.user)
    if not (may_run or rules.can_view_targeting(request.user)):
        return _refused(request, PermissionRefused(_("You may not see assessment runs.")))
    form = RunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_run:
            return _refused(request, PermissionRefused(_("You may not run and save assessments.")))
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.save_run(
                    user=request.user,
                    window=window_from(
                        date_from=data["date_from"], date_to=data["date_to"], as_of=data["as_of"]
                    ),
                    methodology=data["methodology"] or None,
                    country_codes=data["countries"] or None,
                )
            except PermissionRefused as error:
                return _refused(request, error)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The assessment is saved."))
                return redirect("assessment:run", pk=run.pk)
    return render(
        request,
        "assessment/runs.html",
        {
            "runs": selectors.runs_for(user=request.user)[:200],
            "form": form if may_run else None,
            "methodologies": Methodology.objects.values_list("version", flat=True),
            "may_view_targeting": rules.can_view_targeting(request.user),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def run(request, pk: int):
    try:
        saved = selectors.run_for(user=request.user, pk=pk)
    except PermissionRefused as error:
        return _refused(request, error)
    if saved is None:
        raise Http404(_("There is no saved assessment run %(id)s.") % {"id": pk})
    card = selectors.run_scorecard(user=request.user, run=saved)
    is_current = None
    if request.GET.get("verify"):
        is_current = selectors.run_is_current(saved)
    rows = selectors.scorecard_rows(user=request.user, card=card)
    return render(
        request,
        "assessment/run.html",
        {
            "run": saved,
            "card": card,
            "rows": rows,
            "is_current": is_current,
            "may_view_targeting": rules.can_view_targeting(request.user),
        },
    )


# ---------------------------------------------------------------------------
# Methodologies


@require_http_methods(["GET", "POST"])
def methodologies(request):
    may_manage = rules.can_manage_methodology(request.user)
    form = (
        MethodologyForm(request.POST if request.method == "POST" else None) if may_manage else None
    )
    if request.method == "POST":
        if not may_manage:
            return _refused(
                request, PermissionRefused(_("You may not create methodology versions."))
            )
        if form.is_valid():
            try:
                created = services.create_methodology(
                    user=request.user,
                    version=form.cleaned_data["version"],
                    description=form.cleaned_data["description"],
                    thresholds=form.thresholds(),
                    make_default=form.cleaned_data["make_default"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                for detail in error.details:
                    form.add_error(None, detail)
            else:
                messages.success(
                    request,
                    _("Methodology %(version)s is created.") % {"version": created.version},
                )
                return redirect("assessment:methodologies")
    return render(
        request,
        "assessment/methodologies.html",
        {
            "methodologies": selectors.methodologies(),
            "approvals": selectors.methodology_approvals(user=request.user),
            "form": form,
            "threshold_fields": MethodologyForm.threshold_fields(),
            "may_manage": may_manage,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
def make_default(request, version: str):
    try:
        methodology = selectors.methodology_named(version)
        services.make_default_methodology(user=request.user, methodology=methodology)
    except PermissionRefused as error:
        return _refused(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Methodology %(version)s is now the default.") % {"version": methodology.version},
        )
    return redirect("assessment:methodologies")
