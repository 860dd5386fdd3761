"""The intake pages: the ingest log, the upload page, and one ingest with its errors and the
values it replaced.

Only users who may ingest see any of them (`rules.can_ingest_data`); which ingests they see
is the selectors' business (their errors quote the files).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View

from readmit.accounts import rules
from readmit.core.errors import DomainError
from readmit.intake import selectors, services
from readmit.intake.forms import IngestForm

LOG_PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 100


def _require_ingester(request) -> None:
    if not rules.can_ingest_data(request.user):
        raise PermissionDenied


class IngestLogView(View):
    def get(self, request):
        _require_ingester(request)
        page = Paginator(selectors.visible_ingests(request.user), LOG_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(request, "intake/log.html", {"page": page})


class IngestUploadView(View):
    """Upload a file and ingest it while the browser waits (an htmx indicator shows it)."""

    def get(self, request):
        _require_ingester(request)
        return self._render(request, IngestForm(kinds=selectors.ingestible_kinds(request.user)))

    def post(self, request):
        _require_ingester(request)
        form = IngestForm(
            request.POST, request.FILES, kinds=selectors.ingestible_kinds(request.user)
        )
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            ingest = services.ingest_file(
                kind=form.cleaned_data["kind"],
                path=upload.file,
                user=request.user,
                file_name=upload.name,
                channel="web",
            )
        except services.IngestRefused as refusal:
            return self._render(request, form, refused=refusal.ingest, status=400)
        except DomainError as error:
            form.add_error(None, error.message)
            return self._render(request, form, status=400)
        messages.success(request, _summary(ingest))
        url = reverse("intake:ingest", args=[ingest.pk])
        if request.htmx:
            return HttpResponse(headers={"HX-Redirect": url})
        return redirect(url)

    def _render(self, request, form, *, refused=None, status=200):
        context = {"form": form, "refused": refused}
        if request.htmx:
            # htmx swaps the form and what it says in place; it leaves 4xx responses alone.
            return render(request, "intake/partials/upload.html", context)
        return render(request, "intake/upload.html", context, status=status)


class IngestView(View):
    def get(self, request, pk):
        _require_ingester(request)
        ingest = get_object_or_404(selectors.visible_ingests(request.user), pk=pk)
        changes = Paginator(selectors.ingest_changes(ingest), CHANGES_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        labels = list(changes[0].previous) if changes else []
        rows = [
            (change.key, [change.previous.get(label) for label in labels]) for change in changes
        ]
        return render(
            request,
            "intake/ingest.html",
            {
                "ingest": ingest,
                "changes": changes,
                "change_labels": labels,
                "change_rows": rows,
            },
        )


def _summary(ingest) -> str:
    return _("%(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % {
        "file": ingest.file_name,
        "created": number_format(ingest.created, force_grouping=True),
        "updated": number_format(ingest.updated, force_grouping=True),
        "unchanged": number_format(ingest.unchanged, force_grouping=True),
    }
