"""The envelope's pages: dashboard, amendments, projects, payment entry, XLSX and IATI downloads.

Views translate HTTP to a selector or a service and back; the rules decide who sees and
who changes what (`accounts.rules`), the selectors apply the user's clearance.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from readmit.accounts import rules
from readmit.core.errors import DomainError
from readmit.envelope import iati, selectors, services
from readmit.envelope.forms import AmendmentForm, PaymentForm, ProjectForm, StatusForm
from readmit.envelope.models import ProjectStatus
from readmit.envelope.workbook import envelope_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _envelope(request, pk):
    return get_object_or_404(selectors.visible_envelopes(request.user), pk=pk)


def _project(request, pk):
    return get_object_or_404(selectors.visible_projects(request.user), pk=pk)


def _require_editor(request, record=None):
    if not rules.can_edit_envelope(request.user):
        raise PermissionDenied
    if record is not None and not rules.can_view_record(request.user, record):
        raise PermissionDenied


def _as_of(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


class EnvelopeIndexView(View):
    def get(self, request):
        envelopes = list(selectors.visible_envelopes(request.user))
        rows = []
        for envelope in envelopes:
            stages = selectors.authority_history(envelope)
            rows.append({"envelope": envelope, "profile": stages[-1].profile})
        return render(request, "envelope/index.html", {"rows": rows})


class DashboardView(View):
    def get(self, request, pk):
        envelope = _envelope(request, pk)
        as_of = _as_of(request)
        result = selectors.envelope_figures(envelope, today=as_of)
        return render(
            request,
            "envelope/dashboard.html",
            {
                "envelope": envelope,
                "as_of": as_of,
                "figures": result,
                "countries": selectors.countries_reached(request.user, envelope, result),
                "history": selectors.authority_history(envelope),
                "chart_spec": selectors.chart_spec(envelope, result),
                "may_edit": rules.can_edit_envelope(request.user),
            },
        )


class AmendmentsView(View):
    def _years(self, envelope):
        profile = selectors.authority_history(envelope)[-1].profile
        return [*profile.years, *[profile.last + i for i in range(1, 6)]]

    def _render(self, request, envelope, form, status=200):
        return render(
            request,
            "envelope/amendments.html",
            {
                "envelope": envelope,
                "form": form,
                "history": selectors.authority_history(envelope),
                "may_edit": rules.can_edit_envelope(request.user),
            },
            status=status,
        )

    def get(self, request, pk):
        envelope = _envelope(request, pk)
        return self._render(request, envelope, AmendmentForm(years=self._years(envelope)))

    def post(self, request, pk):
        envelope = _envelope(request, pk)
        _require_editor(request, envelope)
        form = AmendmentForm(request.POST, years=self._years(envelope))
        if form.is_valid():
            try:
                amendment = services.record_amendment(
                    user=request.user,
                    envelope=envelope,
                    kind=form.cleaned_data["kind"],
                    approving_authority=form.cleaned_data["approving_authority"],
                    approved_on=form.cleaned_data["approved_on"],
                    reason=form.cleaned_data["reason"],
                    changes=form.changes(),
                    new_end_fiscal_year=form.cleaned_data["new_end_fiscal_year"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("Amendment %(number)s recorded.") % {"number": amendment.number}
                )
                return redirect("envelope:amendments", pk=envelope.pk)
        return self._render(request, envelope, form, status=400)


class ProjectListView(View):
    def get(self, request, pk):
        envelope = _envelope(request, pk)
        projects = selectors.filter_projects(
            selectors.visible_projects(request.user, envelope),
            request.user,
            status=request.GET.get("status", "")
            if request.GET.get("status") in ProjectStatus.values
            else "",
        )
        return render(
            request,
            "envelope/projects.html",
            {
                "envelope": envelope,
                "rows": selectors.project_rows(request.user, envelope, projects),
                "statuses": ProjectStatus.choices,
                "may_edit": rules.can_edit_envelope(request.user),
                "status": request.GET.get("status", ""),
            },
        )


class ProjectView(View):
    def _render(self, request, project, payment_form=None, status_form=None, status=200):
        ledger = selectors.project_ledger(project)
        years = sorted(set(ledger.planned) | set(ledger.paid))
        schedule = [
            {
                "fiscal_year": year,
                "planned": ledger.planned.get(year),
                "paid": ledger.paid.get(year),
                "committed": ledger.commitment.get(year),
            }
            for year in years
        ]
        return render(
            request,
            "envelope/project.html",
            {
                "project": project,
                "envelope": project.envelope,
                "ledger": ledger,
                "schedule": schedule,
                "links": selectors.visible_links(request.user, project),
                "withheld": selectors.countries_withheld(request.user, project),
                "payments": selectors.visible_payments(request.user, project=project),
                "history": project.history.select_related("history_user").order_by("-history_date")[
                    :20
                ],
                "payment_form": payment_form or PaymentForm(),
                "status_form": status_form or StatusForm(),
                "may_edit": rules.can_edit_envelope(request.user),
                "may_pay": rules.can_edit_envelope(request.user)
                and project.status in {ProjectStatus.APPROVED, ProjectStatus.ACTIVE},
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, _project(request, pk))


class PaymentCreateView(View):
    """Payment entry: the form shows the service's refusal, with its figures."""

    def get(self, request, pk):
        project = _project(request, pk)
        _require_editor(request, project)
        return render(
            request,
            "envelope/payment_form.html",
            {"project": project, "envelope": project.envelope, "form": PaymentForm()},
        )

    def post(self, request, pk):
        project = _project(request, pk)
        _require_editor(request, project)
        form = PaymentForm(request.POST)
        if form.is_valid():
            try:
                services.record_payment(user=request.user, project=project, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect("envelope:project", pk=project.pk)
        return render(
            request,
            "envelope/payment_form.html",
            {"project": project, "envelope": project.envelope, "form": form},
            status=400,
        )


class ProjectStatusView(View):
    def post(self, request, pk):
        project = _project(request, pk)
        _require_editor(request, project)
        form = StatusForm(request.POST)
        if form.is_valid():
            on = form.cleaned_data["on"]
            try:
                services.change_project_status(
                    project,
                    user=request.user,
                    status=form.cleaned_data["status"],
                    on=on,
                    approval_date=on or timezone.localdate(),
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Status changed."))
        else:
            messages.error(request, _("Choose a status and a valid date."))
        return redirect("envelope:project", pk=project.pk)


class WorkbookView(View):
    def get(self, request, pk):
        envelope = _envelope(request, pk)
        result = selectors.envelope_figures(envelope, today=_as_of(request))
        content = envelope_workbook(
            envelope,
            result,
            selectors.project_rows(request.user, envelope),
            selectors.visible_payments(request.user, envelope=envelope),
            language=translation.get_language() or "en",
        )
        response = HttpResponse(content, content_type=XLSX)
        name = (envelope.short_name or f"envelope-{envelope.pk}").replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}-figures.xlsx"'
        return response


class IatiView(View):
    def get(self, request, pk):
        envelope = _envelope(request, pk)
        try:
            export = iati.activities_file(
                selectors.visible_envelopes(request.user).filter(pk=envelope.pk)
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("envelope:dashboard", pk=envelope.pk)
        response = HttpResponse(export.xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="iati-activities.xml"'
        return response


class ProjectFormView(View):
    """Create a project (in the pipeline) or change one; its status moves on the project page."""

    def _form(self, request, envelope, data=None, initial=None):
        return ProjectForm(
            data,
            initial=initial,
            years=selectors.fiscal_year_choices(envelope),
            partners=selectors.visible_partners(request.user),
            may_target=rules.can_edit_project_targeting(request.user),
        )

    def _render(self, request, envelope, form, project=None, status=200):
        return render(
            request,
            "envelope/project_form.html",
            {"envelope": envelope, "form": form, "project": project},
            status=status,
        )

    def _save(self, request, envelope, form, project=None):
        try:
            countries = form.country_pairs()
            if project is None:
                project = services.create_project(
                    user=request.user,
                    envelope=envelope,
                    reference=form.cleaned_data["reference"],
                    agreement_value=form.cleaned_data["agreement_value"],
                    planned_payments=form.schedule(),
                    countries=countries or [],
                    **form.project_fields(),
                )
            else:
                fields = form.project_fields()
                fields["reference"] = form.cleaned_data["reference"]
                project = services.update_project(
                    project,
                    user=request.user,
                    agreement_value=form.cleaned_data["agreement_value"],
                    planned_payments=form.schedule(),
                    countries=countries,
                    **fields,
                )
        except (DomainError, ValidationError) as error:
            form.add_error(None, getattr(error, "message", None) or " ".join(error.messages))
            return None
        return project


class ProjectCreateView(ProjectFormView):
    def get(self, request, pk):
        envelope = _envelope(request, pk)
        _require_editor(request, envelope)
        return self._render(request, envelope, self._form(request, envelope))

    def post(self, request, pk):
        envelope = _envelope(request, pk)
        _require_editor(request, envelope)
        form = self._form(request, envelope, request.POST)
        if form.is_valid():
            project = self._save(request, envelope, form)
            if project is not None:
                messages.success(
                    request, _("Project %(reference)s created.") % {"reference": project.reference}
                )
                return redirect("envelope:project", pk=project.pk)
        return self._render(request, envelope, form, status=400)


class ProjectEditView(ProjectFormView):
    def _initial(self, request, project):
        ledger = selectors.project_ledger(project)
        initial = {
            name: getattr(project, name)
            for name in [
                "partner",
                "reference",
                "title",
                "title_fr",
                "description",
                "description_fr",
                "initiative_types",
                "funding_type",
                "agreement_value",
                "start_date",
                "end_date",
                "expected_results",
                "risk_rating",
                "security_level",
            ]
        }
        initial["partner"] = project.partner_id
        links = selectors.visible_links(request.user, project)
        initial["countries"] = ", ".join(link.country_id for link in links)
        initial["disclosed"] = ", ".join(link.country_id for link in links if link.is_disclosed)
        for year, amount in ledger.planned.items():
            initial[ProjectForm.schedule_field(year)] = amount
        return initial

    def get(self, request, pk):
        project = _project(request, pk)
        _require_editor(request, project)
        form = self._form(request, project.envelope, initial=self._initial(request, project))
        return self._render(request, project.envelope, form, project)

    def post(self, request, pk):
        project = _project(request, pk)
        _require_editor(request, project)
        form = self._form(request, project.envelope, request.POST)
        if form.is_valid() and self._save(request, project.envelope, form, project) is not None:
            messages.success(
                request, _("Project %(reference)s saved.") % {"reference": project.reference}
            )
            return redirect("envelope:project", pk=project.pk)
        return self._render(request, project.envelope, form, project, status=400)
