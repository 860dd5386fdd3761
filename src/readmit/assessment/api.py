"""The assessment API under /api/v1/assessment/: scorecards, a country with its quarterly
series and RWG decisions, saved runs and methodology versions.

The figures are those of `readmit assess --format json`, with the same keys. Who sees what
is decided in `selectors`: without need-to-know, a scorecard has totals and no `countries`,
and per-country endpoints answer 403 with the same words whatever country was asked for.
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from readmit.accounts import rules
from readmit.assessment import selectors, services
from readmit.assessment.figures import window_from
from readmit.assessment.models import AssessmentRun, Methodology
from readmit.core.errors import DomainError, PermissionRefused

# ---------------------------------------------------------------------------
# Serializers (they document the figures; the views return the figures as computed)


class WindowQuerySerializer(serializers.Serializer):
    """from / to / as_of / methodology: the contract's parameters, all optional."""

    date_from = serializers.DateField(required=False, help_text="First day (default: to - 1 year)")
    date_to = serializers.DateField(required=False, help_text="Last day (default: today)")
    as_of = serializers.DateField(required=False, help_text="What was known that day (default: to)")
    methodology = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        renamed = {
            "date_from": data.get("from"),
            "date_to": data.get("to"),
            "as_of": data.get("as_of"),
            "methodology": data.get("methodology"),
        }
        return super().to_internal_value({k: v for k, v in renamed.items() if v not in (None, "")})


WINDOW_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the window."),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last day of the window (default today)."
    ),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="What was known that day (>= to)."),
    OpenApiParameter("methodology", OpenApiTypes.STR, description="Methodology version."),
]


class AssessmentRatingsSerializer(serializers.Serializer):
    issuance = serializers.CharField()
    timeliness = serializers.CharField()
    responsiveness = serializers.CharField()
    returns = serializers.CharField()


class AssessmentIndicatorsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    issued = serializers.IntegerField()
    refused = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    pending = serializers.IntegerField()
    eligible = serializers.IntegerField()
    issuance_rate = serializers.FloatField(allow_null=True)
    issuance_rate_ci = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, min_length=2, max_length=2
    )
    refusal_rate = serializers.FloatField(allow_null=True)
    median_days_to_issue = serializers.IntegerField(allow_null=True)
    issued_within_30d = serializers.FloatField(allow_null=True)
    overdue_pending = serializers.IntegerField()
    overdue_share = serializers.FloatField(allow_null=True)
    interviews_requested = serializers.IntegerField()
    interviews_held = serializers.IntegerField()
    orders = serializers.IntegerField()
    removals = serializers.IntegerField()
    return_rate = serializers.FloatField(allow_null=True)
    return_rate_source = serializers.CharField(allow_null=True)
    td_backlog = serializers.IntegerField()
    td_backlog_median_age_days = serializers.FloatField(allow_null=True)
    ratings = AssessmentRatingsSerializer()
    classification = serializers.CharField()
    pattern = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class AssessmentCountryFiguresSerializer(AssessmentIndicatorsSerializer):
    country = serializers.CharField()
    name = serializers.CharField()


class AssessmentTotalsSerializer(serializers.Serializer):
    countries = serializers.IntegerField()
    requests = serializers.IntegerField()
    issued = serializers.IntegerField()
    refused = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    pending = serializers.IntegerField()
    eligible = serializers.IntegerField()
    issuance_rate = serializers.FloatField(allow_null=True)
    issuance_rate_ci = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    refusal_rate = serializers.FloatField(allow_null=True)
    median_days_to_issue = serializers.IntegerField(allow_null=True)
    issued_within_30d = serializers.FloatField(allow_null=True)
    overdue_pending = serializers.IntegerField()
    overdue_share = serializers.FloatField(allow_null=True)
    interviews_requested = serializers.IntegerField()
    interviews_held = serializers.IntegerField()
    orders = serializers.IntegerField()
    removals = serializers.IntegerField()
    return_rate = serializers.FloatField(allow_null=True)
    td_backlog = serializers.IntegerField()
    td_backlog_median_age_days = serializers.FloatField(allow_null=True)


class AssessmentScorecardSerializer(serializers.Serializer):
    methodology = serializers.CharField()
    # "from" is a Python keyword: the field is declared below under its JSON name.
    to = serializers.DateField()
    as_of = serializers.DateField()
    countries = AssessmentCountryFiguresSerializer(
        many=True,
        required=False,
        help_text="Only for users with Protected B clearance and need-to-know.",
    )
    totals = AssessmentTotalsSerializer()
    data_fingerprint = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        return {
            "methodology": fields["methodology"],
            "from": serializers.DateField(),
            **{name: field for name, field in fields.items() if name != "methodology"},
        }


class AssessmentSeriesRowSerializer(AssessmentIndicatorsSerializer):
    quarter = serializers.CharField(help_text='Calendar quarter, e.g. "2024-Q3".')
    to = serializers.DateField()
    as_of = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        return {"from": serializers.DateField(), **fields}


class AssessmentDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decided_on = serializers.DateField()
    outcome = serializers.CharField()
    reference = serializers.CharField()
    rationale = serializers.CharField()
    proposed_classification = serializers.CharField()
    assessment_run_id = serializers.IntegerField(allow_null=True)


class AssessmentComparisonSerializer(serializers.Serializer):
    proposal = serializers.CharField()
    outcome = serializers.CharField()
    expected = serializers.CharField(allow_null=True)
    differs = serializers.BooleanField()
    direction = serializers.CharField(allow_null=True)


class AssessmentCountryDetailSerializer(serializers.Serializer):
    methodology = serializers.CharField()
    to = serializers.DateField()
    as_of = serializers.DateField()
    country = AssessmentCountryFiguresSerializer()
    series = AssessmentSeriesRowSerializer(many=True)
    decisions = AssessmentDecisionSerializer(many=True)
    comparison = AssessmentComparisonSerializer(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        return {
            "methodology": fields.pop("methodology"),
            "from": serializers.DateField(),
            **fields,
        }


class AssessmentMethodologySerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Methodology
        fields = ["version", "description", "thresholds", "is_default", "created_at", "created_by"]


class AssessmentMethodologyCreateSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=50)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    thresholds = serializers.DictField(
        help_text="Any of the fields of readmit-2026.1; missing ones keep its values."
    )
    make_default = serializers.BooleanField(required=False, default=False)


class AssessmentRunSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    country_codes = serializers.SerializerMethodField(
        help_text="Only for users with need-to-know; null otherwise."
    )

    class Meta:
        model = AssessmentRun
        fields = [
            "id",
            "created_at",
            "created_by",
            "methodology_version",
            "thresholds",
            "date_from",
            "date_to",
            "as_of",
            "country_codes",
            "data_fingerprint",
            "country_count",
            "totals",
        ]

    def get_country_codes(self, run) -> list[str] | None:
        if rules.can_view_targeting(self.context["request"].user):
            return run.country_codes
        return None


class AssessmentRunDetailSerializer(AssessmentRunSerializer):
    results = serializers.SerializerMethodField(
        help_text="The contract's JSON as saved; only for users with need-to-know."
    )

    class Meta(AssessmentRunSerializer.Meta):
        fields = [*AssessmentRunSerializer.Meta.fields, "results"]

    def get_results(self, run) -> dict | None:
        if rules.can_view_targeting(self.context["request"].user):
            return run.results
        return None


class AssessmentRunCreateSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    as_of = serializers.DateField(required=False, allow_null=True)
    methodology = serializers.CharField(required=False, allow_blank=True, default="")
    countries = serializers.ListField(child=serializers.CharField(), required=False, default=list)


# ---------------------------------------------------------------------------
# Views


def _window(request):
    query = WindowQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    window = window_from(
        date_from=data.get("date_from"), date_to=data.get("date_to"), as_of=data.get("as_of")
    )
    return window, data.get("methodology") or None


def _scorecard_body(card: selectors.Scorecard) -> dict:
    body = card.as_contract()
    if not card.may_view_countries:
        del body["countries"]
    body["totals"] = card.totals
    body["data_fingerprint"] = card.fingerprint
    return body


class ScorecardView(APIView):
    @extend_schema(
        parameters=[
            *WINDOW_PARAMETERS,
            OpenApiParameter(
                "country", OpenApiTypes.STR, many=True, description="Only these countries."
            ),
        ],
        responses=AssessmentScorecardSerializer,
    )
    def get(self, request):
        """Every country's scorecard (the `assess` JSON), with totals across countries.

        Without need-to-know: totals only, and no country may be asked for.
        """
        window, methodology = _window(request)
        card = selectors.scorecard(
            user=request.user,
            window=window,
            methodology=methodology,
            country_codes=request.query_params.getlist("country") or None,
        )
        return Response(_scorecard_body(card))


def _decision_body(decision) -> dict:
    return {
        "id": decision.pk,
        "decided_on": decision.decided_on,
        "outcome": decision.outcome,
        "reference": decision.reference,
        "rationale": decision.rationale,
        "proposed_classification": decision.proposed_classification,
        "assessment_run_id": decision.assessment_run_id,
    }


class CountryDetailView(APIView):
    @extend_schema(
        parameters=[
            *WINDOW_PARAMETERS,
            OpenApiParameter(
                "quarters", OpenApiTypes.INT, description="Quarters of the series (default 12)."
            ),
        ],
        responses=AssessmentCountryDetailSerializer,
    )
    def get(self, request, code: str):
        """One country: its figures, its quarterly series and the RWG's decisions on it."""
        if not rules.can_view_targeting(request.user):
            raise selectors.targeting_refused()
        window, methodology = _window(request)
        try:
            quarters = int(request.query_params.get("quarters", 12))
        except ValueError:
            raise DomainError(_("quarters must be a whole number.")) from None
        if not 1 <= quarters <= 40:
            raise DomainError(_("quarters must lie between 1 and 40."))
        detail = selectors.country_assessment(
            user=request.user,
            code=code.upper(),
            window=window,
            methodology=methodology,
            quarters=quarters,
        )
        comparison = detail.comparison
        return Response(
            {
                "methodology": detail.scorecard.methodology,
                "from": window.start,
                "to": window.end,
                "as_of": window.as_of,
                "country": detail.figures,
                "series": detail.series,
                "decisions": [_decision_body(decision) for decision in detail.decisions],
                "comparison": None if comparison is None else comparison.__dict__,
            }
        )


class RunListView(APIView):
    @extend_schema(responses=AssessmentRunSerializer(many=True))
    def get(self, request):
        """Saved runs, newest first (parameters and totals; countries only with need-to-know)."""
        if not (rules.can_run_assessment(request.user) or rules.can_view_targeting(request.user)):
            raise PermissionRefused(_("You may not see assessment runs."))
        runs = selectors.runs_for(user=request.user)[:500]
        return Response(AssessmentRunSerializer(runs, many=True, context={"request": request}).data)

    @extend_schema(
        request=AssessmentRunCreateSerializer, responses={201: AssessmentRunDetailSerializer}
    )
    def post(self, request):
        """Run an assessment now and save it with its fingerprint and results."""
        payload = AssessmentRunCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        run = services.save_run(
            user=request.user,
            window=window_from(
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                as_of=data.get("as_of"),
            ),
            methodology=data["methodology"] or None,
            country_codes=data["countries"] or None,
        )
        return Response(
            AssessmentRunDetailSerializer(run, context={"request": request}).data, status=201
        )


class RunDetailView(APIView):
    @extend_schema(responses=AssessmentRunDetailSerializer)
    def get(self, request, pk: int):
        """A saved run with its results as saved (results only with need-to-know)."""
        run = selectors.run_for(user=request.user, pk=pk)
        if run is None:
            raise NotFound(_("There is no saved assessment run %(id)s.") % {"id": pk})
        return Response(AssessmentRunDetailSerializer(run, context={"request": request}).data)


class MethodologyListView(APIView):
    @extend_schema(responses=AssessmentMethodologySerializer(many=True))
    def get(self, request):
        """Every methodology version, the default first."""
        return Response(AssessmentMethodologySerializer(selectors.methodologies(), many=True).data)

    @extend_schema(
        request=AssessmentMethodologyCreateSerializer,
        responses={201: AssessmentMethodologySerializer},
    )
    def post(self, request):
        """Create a methodology version (thresholds not given keep readmit-2026.1's values)."""
        payload = AssessmentMethodologyCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = services.create_methodology(user=request.user, **payload.validated_data)
        return Response(AssessmentMethodologySerializer(created).data, status=201)


def _methodology_or_404(version: str) -> Methodology:
    methodology = Methodology.objects.filter(version=version).first()
    if methodology is None:
        raise NotFound(_("There is no methodology %(version)s.") % {"version": version})
    return methodology


class MethodologyDetailView(APIView):
    @extend_schema(responses=AssessmentMethodologySerializer)
    def get(self, request, version: str):
        """One methodology version and its thresholds."""
        return Response(AssessmentMethodologySerializer(_methodology_or_404(version)).data)


class MethodologyDefaultView(APIView):
    @extend_schema(request=None, responses=AssessmentMethodologySerializer)
    def post(self, request, version: str):
        """Make this version the default of assessments that name none."""
        methodology = services.make_default_methodology(
            user=request.user, methodology=_methodology_or_404(version)
        )
        return Response(AssessmentMethodologySerializer(methodology).data)


urlpatterns = [
    path("assessment/scorecard/", ScorecardView.as_view(), name="api-assessment-scorecard"),
    path(
        "assessment/countries/<str:code>/",
        CountryDetailView.as_view(),
        name="api-assessment-country",
    ),
    path("assessment/runs/", RunListView.as_view(), name="api-assessment-runs"),
    path("assessment/runs/<int:pk>/", RunDetailView.as_view(), name="api-assessment-run"),
    path(
        "assessment/methodologies/",
        MethodologyListView.as_view(),
        name="api-assessment-methodologies",
    ),
    path(
        "assessment/methodologies/<str:version>/",
        MethodologyDetailView.as_view(),
        name="api-assessment-methodology",
    ),
    path(
        "assessment/methodologies/<str:version>/default/",
        MethodologyDefaultView.as_view(),
        name="api-assessment-methodology-default",
    ),
]
