"""The envelope in the API, under /api/v1/envelope/.

Everything a page shows or changes is here: envelopes and their authority by fiscal
year, amendments, partners, projects with their schedule and countries, payments, the
figures per fiscal year (`/envelopes/{id}/figures/?as_of=YYYY-MM-DD`), the authority's
history, and the IATI activity file. Money goes out and comes in as strings with two
decimals ("1250000.00"); fiscal years as "FY2024-25". Reads apply the user's clearance
(selectors); changes go through the services, whose refusals come back as a 400 with the
same message a page shows.
"""

from datetime import date

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from readmit.accounts import rules
from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.fiscal import FiscalYear
from readmit.envelope import iati, selectors, services
from readmit.envelope.models import (
    Amendment,
    AmendmentKind,
    Envelope,
    FundingType,
    InitiativeType,
    OrganisationType,
    Partner,
    Payment,
    Project,
    ProjectStatus,
    RiskRating,
)

MONEY = {"max_digits": 15, "decimal_places": 2, "coerce_to_string": True}


@extend_schema_field({"type": "string", "enum": AmendmentKind.values})
class AmendmentKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AmendmentKind.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "description": "pipeline, approved, active, closed or cancelled"}
)
class ProjectStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ProjectStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^FY\d{4}-\d{2}$", "example": "FY2024-25"})
class FiscalYearField(serializers.Field):
    """FY2024-25 out; FY2024-25, FY2024-2025, 2024-25 or the start year 2024 in."""

    default_error_messages = {"invalid": _("Write a fiscal year as FY2024-25.")}

    def to_representation(self, value):
        return None if value is None else FiscalYear.parse(value).label

    def to_internal_value(self, data):
        try:
            if isinstance(data, int) and not isinstance(data, bool):
                return FiscalYear(data)
            return FiscalYear.parse(str(data))
        except (TypeError, ValueError):
            self.fail("invalid")


class YearAmountSerializer(serializers.Serializer):
    fiscal_year = FiscalYearField()
    amount = serializers.DecimalField(**MONEY)


class AmountsByYearField(serializers.ListField):
    """[{"fiscal_year": "FY2024-25", "amount": "100.00"}, ...]; {"FY2024-25": "100.00"} also in."""

    child = YearAmountSerializer()

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = [{"fiscal_year": k, "amount": v} for k, v in data.items()]
        rows = super().to_internal_value(data)
        years = [row["fiscal_year"] for row in rows]
        if len(set(years)) != len(years):
            raise serializers.ValidationError(_("A fiscal year is given twice."))
        return {row["fiscal_year"]: row["amount"] for row in rows}

    def to_representation(self, data):
        if isinstance(data, dict):
            data = sorted(data.items())
        return [
            {"fiscal_year": FiscalYear.parse(year).label, "amount": f"{amount:.2f}"}
            for year, amount in data
        ]


def _require_editor(request):
    if not rules.can_edit_envelope(request.user):
        raise PermissionRefused(_("Only program officers and administrators change the envelope."))


CATEGORY_CODES = {
    "multilateral": OrganisationType.MULTILATERAL,
    "government": OrganisationType.GOVERNMENT,
    "civil_society": OrganisationType.INTERNATIONAL_NGO,
    "private": OrganisationType.PRIVATE_SECTOR,
}


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "enum": OrganisationType.values},
            {"type": "string", "enum": list(CATEGORY_CODES)},
        ]
    }
)
class OrganisationTypeField(serializers.ChoiceField):
    """An IATI OrganisationType code (40), or a category: multilateral, government,
    civil_society, private."""

    def __init__(self, **kwargs):
        super().__init__(choices=OrganisationType.choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip().lower() in CATEGORY_CODES:
            return int(CATEGORY_CODES[data.strip().lower()])
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data)
        return super().to_internal_value(data)


# Envelopes ---------------------------------------------------------------------------


class AmendmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    number = serializers.IntegerField(read_only=True)
    kind = AmendmentKindField()
    approving_authority = serializers.CharField(max_length=200)
    approved_on = serializers.DateField()
    reason = serializers.CharField()
    new_end_fiscal_year = FiscalYearField(required=False, allow_null=True)
    changes = AmountsByYearField(required=False, default=list)

    def to_representation(self, amendment):
        return {
            "id": amendment.pk,
            "envelope": amendment.envelope_id,
            "number": amendment.number,
            "kind": amendment.kind,
            "approving_authority": amendment.approving_authority,
            "approved_on": amendment.approved_on.isoformat(),
            "reason": amendment.reason,
            "new_end_fiscal_year": (
                amendment.new_end_fiscal_year.label if amendment.new_end_fiscal_year else None
            ),
            "changes": AmountsByYearField().to_representation(
                {c.fiscal_year: c.change for c in amendment.changes.all()}
            ),
        }


class EnvelopeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    programme = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(read_only=True)
    start_fiscal_year = FiscalYearField()
    end_fiscal_year = FiscalYearField(help_text="The last fiscal year, as first approved.")
    authority = AmountsByYearField(help_text="The original authority of each fiscal year.")
    total_authority = serializers.DecimalField(
        **MONEY, required=False, help_text="If given, the years must add up to it."
    )
    target_countries_min = serializers.IntegerField(min_value=0, required=False)
    target_countries_max = serializers.IntegerField(min_value=0, required=False)
    reporting_org_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reporting_org_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporting_org_type = OrganisationTypeField(required=False)
    security_level = serializers.IntegerField(min_value=0, max_value=4, required=False)

    def to_representation(self, envelope):
        stages = selectors.authority_history(envelope)
        original, current = stages[0].profile, stages[-1].profile
        return {
            "id": envelope.pk,
            "name": envelope.name,
            "short_name": envelope.short_name,
            "programme": envelope.programme,
            "description": envelope.description,
            "currency": envelope.currency,
            "start_fiscal_year": current.first.label,
            "end_fiscal_year": current.last.label,
            "original_end_fiscal_year": original.last.label,
            "total_authority": f"{current.total:.2f}",
            "authority": AmountsByYearField().to_representation(current.amounts),
            "original_total_authority": f"{original.total:.2f}",
            "original_authority": AmountsByYearField().to_representation(original.amounts),
            "amendments": [
                AmendmentSerializer().to_representation(s.amendment) for s in stages[1:]
            ],
            "target_countries_min": envelope.target_countries_min,
            "target_countries_max": envelope.target_countries_max,
            "reporting_org_ref": envelope.reporting_org_ref,
            "reporting_org_name": envelope.reporting_org_name,
            "reporting_org_type": envelope.reporting_org_type,
            "security_level": envelope.security_level,
        }


class EnvelopeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    short_name = serializers.CharField(max_length=30, required=False, allow_blank=True)
    programme = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    target_countries_min = serializers.IntegerField(min_value=0, required=False)
    target_countries_max = serializers.IntegerField(min_value=0, required=False)
    reporting_org_ref = serializers.CharField(max_length=100, required=False, allow_blank=True)
    reporting_org_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporting_org_type = OrganisationTypeField(required=False)
    security_level = serializers.IntegerField(min_value=0, max_value=4, required=False)


def figures_payload(request, envelope: Envelope, as_of: date) -> dict:
    result = selectors.envelope_figures(envelope, today=as_of)
    countries = selectors.countries_reached(request.user, envelope, result)

    def money(value):
        return None if value is None else f"{value:.2f}"

    return {
        "envelope": envelope.pk,
        "currency": envelope.currency,
        "as_of": as_of.isoformat(),
        "current_fiscal_year": result.current_year.label,
        "years": [
            {
                "fiscal_year": y.fiscal_year.label,
                "timing": str(y.timing),
                "authority": money(y.authority),
                "committed": money(y.committed),
                "paid": money(y.paid),
                "available": money(y.available),
                "outstanding": money(y.outstanding),
                "pipeline": money(y.pipeline),
                "planned": money(y.planned),
                "unplanned": money(y.unplanned),
                "lapse_risk": money(y.lapse_risk),
                "lapsed": money(y.lapsed),
            }
            for y in result.years
        ],
        "totals": {
            "authority": money(result.authority),
            "committed": money(result.committed),
            "paid": money(result.paid),
            "available": money(result.available),
            "outstanding": money(result.outstanding),
            "pipeline": money(result.pipeline),
            "planned": money(result.planned),
            "unplanned": money(result.unplanned),
            "lapsed": money(result.lapsed),
        },
        "lapse_risk": money(result.lapse_risk),
        "approved_projects": {
            "count": result.approved_projects,
            "total_value": money(result.approved_value),
        },
        "pipeline_projects": {
            "count": result.pipeline_projects,
            "total_value": money(result.pipeline_value),
        },
        "countries_reached": {
            "count": countries.count,
            "target_min": countries.target_min,
            "target_max": countries.target_max,
            "position": countries.position,
            "shown": [c.code for c in countries.shown],
            "withheld": countries.withheld,
        },
    }


class EnvelopeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Envelopes with their current and original authority by fiscal year and amendments."""

    serializer_class = EnvelopeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.visible_envelopes(self.request.user)

    def create(self, request, *args, **kwargs):
        _require_editor(request)
        serializer = EnvelopeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        envelope = services.create_envelope(
            user=request.user,
            name=data.pop("name"),
            programme=data.pop("programme"),
            start_fiscal_year=data.pop("start_fiscal_year"),
            end_fiscal_year=data.pop("end_fiscal_year"),
            authority=data.pop("authority"),
            total_authority=data.pop("total_authority", None),
            **data,
        )
        return Response(EnvelopeSerializer(envelope).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EnvelopeUpdateSerializer, responses=EnvelopeSerializer)
    def partial_update(self, request, *args, **kwargs):
        _require_editor(request)
        envelope = self.get_object()
        serializer = EnvelopeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        envelope = services.update_envelope(
            envelope, user=request.user, **serializer.validated_data
        )
        return Response(EnvelopeSerializer(envelope).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                date,
                description="The date whose fiscal year is the current one (default: today).",
            )
        ],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """Authority, committed, paid, available, pipeline, planned, lapse risk and lapsed per
        fiscal year, with totals, approved projects and countries reached (docs/envelope.md)."""
        envelope = self.get_object()
        as_of = request.query_params.get("as_of")
        try:
            as_of = date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise DomainError(_("Write the as_of date as YYYY-MM-DD.")) from None
        return Response(figures_payload(request, envelope, as_of))

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def authority(self, request, pk=None):
        """The authority as first approved and after each amendment, in order."""
        envelope = self.get_object()
        return Response(
            [
                {
                    "stage": stage.label,
                    "amendment": stage.amendment.pk if stage.amendment else None,
                    "first_fiscal_year": stage.profile.first.label,
                    "last_fiscal_year": stage.profile.last.label,
                    "total": f"{stage.profile.total:.2f}",
                    "authority": AmountsByYearField().to_representation(stage.profile.amounts),
                }
                for stage in selectors.authority_history(envelope)
            ]
        )


class AmendmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Amendments: an extension, a reprofiling, an increase or a decrease, applied in order.

    DELETE withdraws one recorded in error (`?reason=...` required); it stays in history.
    """

    serializer_class = AmendmentSerializer
    filterset_fields = ["envelope", "kind"]

    def get_queryset(self):
        return (
            selectors.cleared(Amendment.objects.all(), self.request.user)
            .filter(envelope__in=selectors.visible_envelopes(self.request.user))
            .prefetch_related("changes")
            .order_by("envelope", "approved_on", "number")
        )

    def create(self, request, *args, **kwargs):
        _require_editor(request)
        serializer = AmendmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        envelope = get_object_or_404(
            selectors.visible_envelopes(request.user), pk=data["envelope"].pk
        )
        amendment = services.record_amendment(
            user=request.user,
            envelope=envelope,
            kind=data["kind"],
            approving_authority=data["approving_authority"],
            approved_on=data["approved_on"],
            reason=data["reason"],
            changes=data.get("changes") or {},
            new_end_fiscal_year=data.get("new_end_fiscal_year"),
        )
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        _require_editor(request)
        amendment = self.get_object()
        reason = request.query_params.get("reason") or request.data.get("reason", "")
        services.withdraw_amendment(amendment, user=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Partners ----------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer):
    organisation_type = OrganisationTypeField()
    category = serializers.CharField(read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "acronym",
            "organisation_type",
            "category",
            "iati_identifier",
            "security_level",
        ]
        extra_kwargs = {"security_level": {"required": False}}

    def validate(self, attrs):
        # Uniqueness and the rest are the service's to decide.
        return attrs


class PartnerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations that deliver projects, with their IATI identifier and type."""

    serializer_class = PartnerSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.visible_partners(self.request.user)

    def create(self, request, *args, **kwargs):
        _require_editor(request)
        serializer = PartnerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        partner = services.create_partner(
            user=request.user,
            name=data.pop("name"),
            organisation_type=data.pop("organisation_type"),
            **data,
        )
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        _require_editor(request)
        partner = self.get_object()
        serializer = PartnerSerializer(partner, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        partner = services.update_partner(partner, user=request.user, **serializer.validated_data)
        return Response(PartnerSerializer(partner).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# Projects ----------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "code": {"type": "string", "example": "XAA"},
            "name": {"type": "string", "readOnly": True},
            "is_disclosed": {"type": "boolean", "default": False},
        },
        "required": ["code"],
    }
)
class CountryLinkField(serializers.Field):
    """{"code": "XAA", "is_disclosed": false} or just "XAA" (not disclosed)."""

    def to_representation(self, link):
        return {
            "code": link.country_id,
            "name": link.country.name,
            "is_disclosed": link.is_disclosed,
        }

    def to_internal_value(self, data):
        if isinstance(data, str):
            return (data.strip().upper(), False)
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            return (data["code"].strip().upper(), bool(data.get("is_disclosed", False)))
        raise serializers.ValidationError(
            _('Give a country as "XAA" or {"code": "XAA", "is_disclosed": false}.')
        )


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    envelope = serializers.PrimaryKeyRelatedField(queryset=Envelope.objects.all())
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    reference = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=300)
    title_fr = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    description_fr = serializers.CharField(required=False, allow_blank=True)
    initiative_types = serializers.ListField(
        child=serializers.ChoiceField(choices=InitiativeType.choices),
        required=False,
    )
    funding_type = serializers.ChoiceField(choices=FundingType.choices, required=False)
    status = ProjectStatusField(required=False)
    approval_date = serializers.DateField(required=False, allow_null=True)
    status_date = serializers.DateField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="When the status changed (activated, closed or cancelled); default today.",
    )
    status_reason = serializers.CharField(required=False, allow_blank=True, write_only=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    agreement_value = serializers.DecimalField(**MONEY)
    planned_payments = AmountsByYearField(required=False)
    countries = serializers.ListField(child=CountryLinkField(), required=False)
    expected_results = serializers.CharField(required=False, allow_blank=True)
    risk_rating = serializers.ChoiceField(choices=RiskRating.choices, required=False)
    iati_identifier = serializers.CharField(max_length=150, required=False, allow_blank=True)
    security_level = serializers.IntegerField(min_value=0, max_value=4, required=False)

    def to_representation(self, project):
        user = self.context["request"].user
        ledger = selectors.project_ledger(project)
        return {
            "id": project.pk,
            "envelope": project.envelope_id,
            "partner": project.partner_id,
            "reference": project.reference,
            "title": project.title,
            "title_fr": project.title_fr,
            "description": project.description,
            "description_fr": project.description_fr,
            "initiative_types": project.initiative_types,
            "funding_type": project.funding_type,
            "status": project.status,
            "status_changed_on": (
                project.status_changed_on.isoformat() if project.status_changed_on else None
            ),
            "approval_date": project.approval_date.isoformat() if project.approval_date else None,
            "start_date": project.start_date.isoformat() if project.start_date else None,
            "end_date": project.end_date.isoformat() if project.end_date else None,
            "agreement_value": f"{project.agreement_value:.2f}",
            "planned_payments": AmountsByYearField().to_representation(ledger.planned),
            "paid": AmountsByYearField().to_representation(ledger.paid),
            "committed": AmountsByYearField().to_representation(ledger.commitment),
            "paid_total": f"{ledger.paid_total:.2f}",
            "unpaid": f"{ledger.unpaid:.2f}",
            "countries": [
                CountryLinkField().to_representation(link)
                for link in selectors.visible_links(user, project)
            ],
            "countries_withheld": selectors.countries_withheld(user, project),
            "expected_results": project.expected_results,
            "risk_rating": project.risk_rating,
            "iati_identifier": project.iati_identifier,
            "security_level": project.security_level,
        }


class StatusChangeSerializer(serializers.Serializer):
    status = ProjectStatusField()
    approval_date = serializers.DateField(required=False, allow_null=True)
    on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class ScheduleSerializer(serializers.Serializer):
    planned_payments = AmountsByYearField()
    agreement_value = serializers.DecimalField(**MONEY, required=False)
    reason = serializers.CharField(required=False, allow_blank=True)


class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects with their schedule (planned payments by fiscal year), countries and figures.

    Create one in the pipeline, or directly approved (`status`, `approval_date`) with a
    schedule that adds up to its agreement value. Countries are shown only as the user's
    clearance allows; `countries_withheld` says some are not shown.
    """

    serializer_class = ProjectSerializer
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        projects = selectors.visible_projects(user)
        params = self.request.query_params
        if params.get("envelope", "").isdigit():
            projects = projects.filter(envelope_id=int(params["envelope"]))
        return selectors.filter_projects(
            projects,
            user,
            status=params.get("status", ""),
            partner=params.get("partner") if params.get("partner", "").isdigit() else None,
            country=params.get("country", ""),
        )

    def create(self, request, *args, **kwargs):
        _require_editor(request)
        serializer = ProjectSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        envelope = get_object_or_404(
            selectors.visible_envelopes(request.user), pk=data.pop("envelope").pk
        )
        partner = get_object_or_404(
            selectors.visible_partners(request.user), pk=data.pop("partner").pk
        )
        data.pop("status_date", None)
        data.pop("status_reason", None)
        project = services.create_project(
            user=request.user,
            envelope=envelope,
            partner=partner,
            reference=data.pop("reference"),
            title=data.pop("title"),
            agreement_value=data.pop("agreement_value"),
            planned_payments=data.pop("planned_payments", {}),
            countries=data.pop("countries", []),
            status=data.pop("status", ProjectStatus.PIPELINE),
            approval_date=data.pop("approval_date", None),
            **data,
        )
        return Response(
            ProjectSerializer(project, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request, *args, **kwargs):
        _require_editor(request)
        project = self.get_object()
        serializer = ProjectSerializer(
            project, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("envelope", None)
        if "partner" in data:
            data["partner"] = get_object_or_404(
                selectors.visible_partners(request.user), pk=data["partner"].pk
            )
        new_status = data.pop("status", None)
        approval_date = data.pop("approval_date", None)
        status_date = data.pop("status_date", None)
        status_reason = data.pop("status_reason", "")
        project = services.update_project(
            project,
            user=request.user,
            agreement_value=data.pop("agreement_value", None),
            planned_payments=data.pop("planned_payments", None),
            countries=data.pop("countries", None),
            **data,
        )
        if new_status and new_status != project.status:
            project = services.change_project_status(
                project,
                user=request.user,
                status=new_status,
                approval_date=approval_date,
                on=status_date,
                reason=status_reason,
            )
        project = self.get_queryset().get(pk=project.pk)
        return Response(ProjectSerializer(project, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=StatusChangeSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the project: approved (give approval_date), active, closed or cancelled
        (give a reason); `on` is the date of the change (default today)."""
        _require_editor(request)
        project = self.get_object()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.change_project_status(
            project,
            user=request.user,
            status=data["status"],
            approval_date=data.get("approval_date"),
            on=data.get("on"),
            reason=data.get("reason", ""),
        )
        project = self.get_queryset().get(pk=project.pk)
        return Response(ProjectSerializer(project, context={"request": request}).data)

    @extend_schema(request=ScheduleSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["put"], url_path="planned-payments")
    def planned_payments(self, request, pk=None):
        """Replace the payment schedule (and the agreement value with it, if given)."""
        _require_editor(request)
        project = self.get_object()
        serializer = ScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.set_payment_schedule(
            project,
            user=request.user,
            planned_payments=data["planned_payments"],
            agreement_value=data.get("agreement_value"),
            reason=data.get("reason", ""),
        )
        project = self.get_queryset().get(pk=project.pk)
        return Response(ProjectSerializer(project, context={"request": request}).data)


# Payments ----------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    amount = serializers.DecimalField(**MONEY)
    fiscal_year = FiscalYearField(read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "project", "paid_on", "fiscal_year", "amount", "reference", "note"]


class PaymentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Payments: dated, counted in the fiscal year of their date. DELETE (with `?reason=`)
    removes one entered in error; it stays in history."""

    serializer_class = PaymentSerializer

    def get_queryset(self):
        payments = selectors.visible_payments(self.request.user)
        params = self.request.query_params
        if params.get("project", "").isdigit():
            payments = payments.filter(project_id=int(params["project"]))
        if params.get("envelope", "").isdigit():
            payments = payments.filter(project__envelope_id=int(params["envelope"]))
        if params.get("fiscal_year"):
            try:
                payments = payments.filter(fiscal_year=FiscalYear.parse(params["fiscal_year"]))
            except ValueError:
                raise DomainError(_("Write a fiscal year as FY2024-25.")) from None
        return payments

    def create(self, request, *args, **kwargs):
        _require_editor(request)
        serializer = PaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = get_object_or_404(selectors.visible_projects(request.user), pk=data["project"].pk)
        payment = services.record_payment(
            user=request.user,
            project=project,
            paid_on=data["paid_on"],
            amount=data["amount"],
            reference=data.get("reference", ""),
            note=data.get("note", ""),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        _require_editor(request)
        payment = self.get_object()
        reason = request.query_params.get("reason") or request.data.get("reason", "")
        services.delete_payment(payment, user=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


# IATI --------------------------------------------------------------------------------


class IatiActivitiesView(APIView):
    """The IATI 2.03 activity file of the projects that may be public (`?envelope=ID`)."""

    @extend_schema(responses={(200, "application/xml"): bytes})
    def get(self, request):
        envelope_id = request.query_params.get("envelope", "")
        envelopes = selectors.visible_envelopes(request.user)
        if envelope_id.isdigit():
            envelopes = envelopes.filter(pk=int(envelope_id))
        export = iati.activities_file(envelopes)
        response = HttpResponse(export.xml, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="iati-activities.xml"'
        return response


router = SimpleRouter()
router.register("envelope/envelopes", EnvelopeViewSet, basename="envelope-envelope")
router.register("envelope/amendments", AmendmentViewSet, basename="envelope-amendment")
router.register("envelope/partners", PartnerViewSet, basename="envelope-partner")
router.register("envelope/projects", ProjectViewSet, basename="envelope-project")
router.register("envelope/payments", PaymentViewSet, basename="envelope-payment")
urlpatterns = [
    path("envelope/iati/", IatiActivitiesView.as_view(), name="envelope-iati"),
    *router.urls,
]
