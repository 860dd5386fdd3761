"""The engagement API under /api/v1/engagement/: every record with its history.

Reads come from `engagement.selectors` (a record the user may not see is a 404, as if it did
not exist); writes go through `engagement.services`, whose refusals become a 400 (or a 403)
with the same message a page shows. Each record has `.../history/`: every version, with
who, when and why.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from readmit.accounts.models import Department
from readmit.core.security import SecurityLevel
from readmit.engagement import selectors, services
from readmit.engagement.explain import describe_condition
from readmit.engagement.models import (
    Action,
    ActionStatus,
    Alert,
    Commitment,
    CommitmentKind,
    CommitmentStatusChange,
    CountryOutcome,
    Decision,
    DecisionKind,
    Engagement,
    EngagementKind,
    EngagementPlan,
    EscalationStep,
    Lever,
    Meeting,
    NegotiationStatus,
    PlanStatus,
    PlanTransition,
    TrackedIndicator,
    Trigger,
    TriggerKind,
)
from readmit.engagement.triggers import INDICATORS

# Output ----------------------------------------------------------------------------------

DEPARTMENT = serializers.SlugRelatedField(slug_field="code", read_only=True)


class RecordSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    AUDIT = ["security_level", "is_need_to_know", "created_at", "created_by", "updated_at",
             "updated_by"]  # fmt: skip


class TransitionSerializer(RecordSerializer):
    class Meta:
        model = PlanTransition
        fields = ["id", "from_status", "to_status", "reason", "decision",
                  *RecordSerializer.AUDIT]  # fmt: skip


class TrackedIndicatorSerializer(RecordSerializer):
    class Meta:
        model = TrackedIndicator
        fields = ["id", "plan", "indicator", "baseline", "target", "target_on",
                  *RecordSerializer.AUDIT]  # fmt: skip


class PlanSerializer(RecordSerializer):
    lead_department = DEPARTMENT
    participating_departments = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    allowed_statuses = serializers.SerializerMethodField()

    class Meta:
        model = EngagementPlan
        fields = ["id", "country", "title", "lead_department", "participating_departments",
                  "objectives", "status", "allowed_statuses", "starts_on", "ends_on",
                  *RecordSerializer.AUDIT]  # fmt: skip

    def get_allowed_statuses(self, plan) -> list[str]:
        from readmit.engagement.workflow import allowed_from

        return list(allowed_from(plan.status))


class PlanDetailSerializer(PlanSerializer):
    transitions = serializers.SerializerMethodField()
    tracked_indicators = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "transitions", "tracked_indicators"]

    def get_transitions(self, plan) -> list[dict]:
        user = self.context["request"].user
        rows = selectors.visible_transitions(user=user).filter(plan=plan)
        return TransitionSerializer(rows, many=True).data

    def get_tracked_indicators(self, plan) -> list[dict]:
        user = self.context["request"].user
        rows = selectors.visible_tracked_indicators(user=user).filter(plan=plan)
        return TrackedIndicatorSerializer(rows, many=True).data


class ActionSerializer(RecordSerializer):
    owner_department = DEPARTMENT
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "plan", "title", "description", "owner_department", "due_on", "status",
                  "is_overdue", "closed_on", "completion_note", "engagement",
                  *RecordSerializer.AUDIT]  # fmt: skip


class EngagementSerializer(RecordSerializer):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    follow_up_actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = ["id", "plan", "kind", "held_on", "departments", "counterpart", "summary",
                  "outcome", "follow_up_actions", *RecordSerializer.AUDIT]  # fmt: skip


class StatusChangeSerializer(RecordSerializer):
    class Meta:
        model = CommitmentStatusChange
        fields = ["id", "status", "previous_status", "changed_on", "note",
                  *RecordSerializer.AUDIT]  # fmt: skip


class CommitmentSerializer(RecordSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "plan", "kind", "title", "description", "status", "status_since",
                  "status_changes", *RecordSerializer.AUDIT]  # fmt: skip


class TriggerSerializer(RecordSerializer):
    description = serializers.SerializerMethodField()

    class Meta:
        model = Trigger
        fields = ["id", "step", "kind", "parameters", "description",
                  *RecordSerializer.AUDIT]  # fmt: skip

    def get_description(self, trigger) -> str:
        return describe_condition(trigger.kind, trigger.parameters)


class StepSerializer(RecordSerializer):
    triggers = TriggerSerializer(many=True, read_only=True)

    class Meta:
        model = EscalationStep
        fields = ["id", "plan", "order", "lever", "description", "status", "approved_on",
                  "triggers", *RecordSerializer.AUDIT]  # fmt: skip


class AlertSerializer(RecordSerializer):
    explanations = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "plan", "step", "quarter", "as_of", "status", "findings", "explanations",
                  "decision", *RecordSerializer.AUDIT]  # fmt: skip

    def get_explanations(self, alert) -> list[str]:
        return selectors.alert_explanations(alert)


class DecisionSerializer(RecordSerializer):
    class Meta:
        model = Decision
        fields = ["id", "kind", "meeting", "decided_on", "reference", "subject", "rationale",
                  "country", "outcome", "assessment_run_id", "proposed_classification",
                  "methodology_version", "plan", "step", *RecordSerializer.AUDIT]  # fmt: skip


class MeetingSerializer(RecordSerializer):
    attending_departments = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "held_on", "reference", "attending_departments", "agenda", "minutes",
                  "decisions", *RecordSerializer.AUDIT]  # fmt: skip

    def get_decisions(self, meeting) -> list[int]:
        user = self.context["request"].user
        return list(
            selectors.visible_decisions(user=user)
            .filter(meeting=meeting)
            .values_list("id", flat=True)
        )


# Input -----------------------------------------------------------------------------------

DEPARTMENT_CODE = serializers.SlugRelatedField(
    slug_field="code", queryset=Department.objects.filter(is_active=True)
)
LEVEL = serializers.ChoiceField(choices=SecurityLevel.choices, required=False)


class PlanInput(serializers.Serializer):
    country = serializers.CharField(max_length=3)
    title = serializers.CharField(max_length=200)
    lead_department = DEPARTMENT_CODE
    participating_departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )
    objectives = serializers.CharField(required=False, allow_blank=True, default="")
    security_level = LEVEL


class PlanChangeInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    objectives = serializers.CharField(required=False, allow_blank=True)
    participating_departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )
    security_level = LEVEL
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionInput(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=PlanStatus.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionInput(serializers.Serializer):
    decided_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    rationale = serializers.CharField(required=False, allow_blank=True, default="")
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.all(), required=False, allow_null=True, default=None
    )


class RecordDecisionInput(DecisionInput):
    kind = serializers.ChoiceField(
        choices=[DecisionKind.COUNTRY, DecisionKind.APPROVE_METHODOLOGY, DecisionKind.OTHER]
    )
    country = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=CountryOutcome.choices, required=False)
    assessment_run_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    proposed_classification = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    methodology_version = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    subject = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    security_level = LEVEL


class MeetingInput(serializers.Serializer):
    held_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)
    attending_departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    security_level = LEVEL


class MeetingChangeInput(serializers.Serializer):
    held_on = serializers.DateField(required=False)
    attending_departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )
    agenda = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    security_level = LEVEL
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ActionInput(serializers.Serializer):
    plan = serializers.IntegerField()
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner_department = DEPARTMENT_CODE
    due_on = serializers.DateField()
    engagement = serializers.IntegerField(required=False, allow_null=True, default=None)
    security_level = LEVEL


class ActionChangeInput(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner_department = DEPARTMENT_CODE
    due_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(
        choices=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS], required=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_department"].required = False


class CompletionInput(serializers.Serializer):
    closed_on = serializers.DateField()
    completion_note = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[ActionStatus.DONE, ActionStatus.CANCELLED], default=ActionStatus.DONE
    )


class EngagementInput(serializers.Serializer):
    plan = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EngagementKind.choices)
    held_on = serializers.DateField()
    departments = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), many=True, required=False
    )
    counterpart = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    security_level = LEVEL


class EngagementChangeInput(serializers.Serializer):
    held_on = serializers.DateField(required=False)
    counterpart = serializers.CharField(max_length=300, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CommitmentInput(serializers.Serializer):
    plan = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CommitmentKind.choices)
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=NegotiationStatus.choices, default=NegotiationStatus.NOT_STARTED
    )
    status_since = serializers.DateField(required=False, allow_null=True, default=None)
    security_level = LEVEL


class CommitmentStatusInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=NegotiationStatus.choices)
    changed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StepInput(serializers.Serializer):
    plan = serializers.IntegerField()
    lever = serializers.ChoiceField(choices=Lever.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class TriggerInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TriggerKind.choices)
    parameters = serializers.DictField()


class IndicatorInput(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=[(k, k) for k in INDICATORS])
    baseline = serializers.FloatField(required=False, allow_null=True, default=None)
    target = serializers.FloatField(required=False, allow_null=True, default=None)
    target_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField()


class EvaluateInput(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True, default=None)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# Views -----------------------------------------------------------------------------------


class HistoryMixin:
    """`GET .../{id}/history/`: every version of the record, newest first."""

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        record = self.get_object()
        m2m = getattr(record, "_history_m2m_fields", [])
        skip = {"history_id", "history_date", "history_type", "history_user",
                "history_user_id", "history_change_reason", "history_relation"}  # fmt: skip
        versions = []
        for version in record.history.select_related("history_user").order_by("-history_date"):
            values = {
                f.attname: getattr(version, f.attname)
                for f in version._meta.concrete_fields
                if f.name not in skip
            }
            for name in m2m:
                values[name] = sorted(row.department.code for row in getattr(version, name).all())
            versions.append(
                {
                    "at": version.history_date,
                    "by": version.history_user.username if version.history_user else None,
                    "change": {"+": "created", "~": "changed", "-": "deleted"}[
                        version.history_type
                    ],
                    "reason": version.history_change_reason,
                    "values": values,
                }
            )
        return Response(versions)


class EngagementViewSet(HistoryMixin, viewsets.ReadOnlyModelViewSet):
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    def _plan(self, plan_id):
        return self._get(selectors.visible_plans, plan_id)

    def _get(self, selector, pk):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(selector(user=self.request.user), pk=pk)


class PlanViewSet(EngagementViewSet):
    """Engagement Plans the user's department takes part in (all of them for the RWG)."""

    selector = staticmethod(selectors.visible_plans)
    filterset_fields = ["status", "country"]

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def _out(self, plan, code=status.HTTP_200_OK):
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(PlanDetailSerializer(plan, context={"request": self.request}).data, code)

    @extend_schema(request=PlanInput, responses={201: PlanDetailSerializer})
    def create(self, request):
        data = _valid(PlanInput, request)
        plan = services.create_plan(
            user=request.user,
            country_code=data["country"],
            title=data["title"],
            lead_department=data["lead_department"],
            participating_departments=data.get("participating_departments", []),
            objectives=data["objectives"],
            security_level=data.get("security_level"),
        )
        return self._out(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanChangeInput, responses=PlanDetailSerializer)
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = _valid(PlanChangeInput, request)
        services.update_plan(user=request.user, plan=plan, **data)
        return self._out(plan)

    @extend_schema(request=TransitionInput, responses=PlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Submit, return to draft, activate (with its start date `on`) or conclude."""
        plan = self.get_object()
        data = _valid(TransitionInput, request)
        services.change_plan_status(user=request.user, plan=plan, **data)
        return self._out(plan)

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The RWG's decision approving the plan."""
        plan = self.get_object()
        decision = services.approve_plan(
            user=request.user, plan=plan, **_valid(DecisionInput, request)
        )
        return Response(DecisionSerializer(decision).data, status.HTTP_201_CREATED)

    @extend_schema(request=IndicatorInput, responses={201: TrackedIndicatorSerializer})
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        """Track an assessment indicator with its baseline and target."""
        plan = self.get_object()
        tracked = services.track_indicator(
            user=request.user, plan=plan, **_valid(IndicatorInput, request)
        )
        return Response(TrackedIndicatorSerializer(tracked).data, status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        """The plan's dated events and its country's quarterly figures."""
        plan = self.get_object()
        events = selectors.plan_timeline(user=request.user, plan=plan)
        series = selectors.plan_series(plan=plan)
        body = {"starts_on": plan.starts_on, "events": events, "series": series}
        return Response(body)


class ActionViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_actions)
    serializer_class = ActionSerializer
    filterset_fields = ["plan", "status", "owner_department__code"]

    @extend_schema(request=ActionInput, responses={201: ActionSerializer})
    def create(self, request):
        data = _valid(ActionInput, request)
        plan = self._plan(data.pop("plan"))
        engagement_id = data.pop("engagement")
        engagement = (
            self._get(selectors.visible_engagements, engagement_id) if engagement_id else None
        )
        created = services.add_action(user=request.user, plan=plan, engagement=engagement, **data)
        return Response(ActionSerializer(created).data, status.HTTP_201_CREATED)

    @extend_schema(request=ActionChangeInput, responses=ActionSerializer)
    def partial_update(self, request, pk=None):
        record = self.get_object()
        services.update_action(
            user=request.user, action=record, **_valid(ActionChangeInput, request)
        )
        return Response(ActionSerializer(record).data)

    @extend_schema(request=CompletionInput, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Close the action as done or cancelled, with its date and completion record."""
        record = self.get_object()
        services.complete_action(
            user=request.user, action=record, **_valid(CompletionInput, request)
        )
        return Response(ActionSerializer(record).data)


class EngagementRecordViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_engagements)
    serializer_class = EngagementSerializer
    filterset_fields = ["plan", "kind"]

    @extend_schema(request=EngagementInput, responses={201: EngagementSerializer})
    def create(self, request):
        data = _valid(EngagementInput, request)
        plan = self._plan(data.pop("plan"))
        created = services.record_engagement(user=request.user, plan=plan, **data)
        return Response(EngagementSerializer(created).data, status.HTTP_201_CREATED)

    @extend_schema(request=EngagementChangeInput, responses=EngagementSerializer)
    def partial_update(self, request, pk=None):
        record = self.get_object()
        services.update_engagement(
            user=request.user, engagement=record, **_valid(EngagementChangeInput, request)
        )
        return Response(EngagementSerializer(record).data)


class CommitmentViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_commitments)
    serializer_class = CommitmentSerializer
    filterset_fields = ["plan", "kind", "status"]

    @extend_schema(request=CommitmentInput, responses={201: CommitmentSerializer})
    def create(self, request):
        data = _valid(CommitmentInput, request)
        plan = self._plan(data.pop("plan"))
        created = services.add_commitment(user=request.user, plan=plan, **data)
        return Response(CommitmentSerializer(created).data, status.HTTP_201_CREATED)

    @extend_schema(request=CommitmentStatusInput, responses={201: StatusChangeSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def record_status(self, request, pk=None):
        """A dated change of negotiation status."""
        record = self.get_object()
        change = services.record_commitment_status(
            user=request.user, commitment=record, **_valid(CommitmentStatusInput, request)
        )
        return Response(StatusChangeSerializer(change).data, status.HTTP_201_CREATED)


class StepViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_steps)
    serializer_class = StepSerializer
    filterset_fields = ["plan", "status"]

    @extend_schema(request=StepInput, responses={201: StepSerializer})
    def create(self, request):
        data = _valid(StepInput, request)
        plan = self._plan(data.pop("plan"))
        step = services.add_escalation_step(user=request.user, plan=plan, **data)
        return Response(StepSerializer(step).data, status.HTTP_201_CREATED)

    @extend_schema(request=TriggerInput, responses={201: TriggerSerializer})
    @action(detail=True, methods=["post"])
    def triggers(self, request, pk=None):
        """Add a trigger condition to the step."""
        step = self.get_object()
        trigger = services.add_trigger(
            user=request.user, step=step, **_valid(TriggerInput, request)
        )
        return Response(TriggerSerializer(trigger).data, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The RWG approves the step: recorded as a decision; the plan is escalated."""
        step = self.get_object()
        decision = services.approve_escalation(
            user=request.user, step=step, **_valid(DecisionInput, request)
        )
        return Response(DecisionSerializer(decision).data, status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInput, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """The RWG declines the step, with its reason (`rationale`)."""
        step = self.get_object()
        decision = services.decline_escalation(
            user=request.user, step=step, **_valid(DecisionInput, request)
        )
        return Response(DecisionSerializer(decision).data, status.HTTP_201_CREATED)


class TriggerViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_triggers)
    serializer_class = TriggerSerializer
    filterset_fields = ["step", "kind"]

    @extend_schema(request=ReasonInput, responses=TriggerSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Remove the trigger (kept, deleted with its reason)."""
        trigger = self.get_object()
        services.remove_trigger(user=request.user, trigger=trigger, **_valid(ReasonInput, request))
        return Response(TriggerSerializer(trigger).data)


class AlertViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_alerts)
    serializer_class = AlertSerializer
    filterset_fields = ["plan", "status", "quarter"]


class MeetingViewSet(EngagementViewSet):
    selector = staticmethod(selectors.visible_meetings)
    serializer_class = MeetingSerializer

    @extend_schema(request=MeetingInput, responses={201: MeetingSerializer})
    def create(self, request):
        meeting = services.create_meeting(user=request.user, **_valid(MeetingInput, request))
        return Response(
            MeetingSerializer(meeting, context={"request": request}).data, status.HTTP_201_CREATED
        )

    @extend_schema(request=MeetingChangeInput, responses=MeetingSerializer)
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        services.update_meeting(
            user=request.user, meeting=meeting, **_valid(MeetingChangeInput, request)
        )
        return Response(MeetingSerializer(meeting, context={"request": request}).data)


class DecisionViewSet(EngagementViewSet):
    """RWG decisions. Country, methodology and other decisions are recorded here; a plan's
    approval and escalation decisions through the plan and its steps."""

    selector = staticmethod(selectors.visible_decisions)
    serializer_class = DecisionSerializer
    filterset_fields = ["kind", "country", "meeting", "plan", "outcome"]

    @extend_schema(request=RecordDecisionInput, responses={201: DecisionSerializer})
    def create(self, request):
        data = _valid(RecordDecisionInput, request)
        common = {
            "user": request.user,
            "decided_on": data["decided_on"],
            "reference": data["reference"],
            "rationale": data["rationale"],
            "meeting": data["meeting"],
        }
        if data["kind"] == DecisionKind.COUNTRY:
            decision = services.record_country_decision(
                **common,
                country_code=data["country"],
                outcome=data.get("outcome", ""),
                assessment_run_id=data["assessment_run_id"],
                proposed_classification=data["proposed_classification"],
                security_level=data.get("security_level"),
            )
        elif data["kind"] == DecisionKind.APPROVE_METHODOLOGY:
            decision = services.record_methodology_approval(
                **common, methodology_version=data["methodology_version"]
            )
        else:
            decision = services.record_other_decision(
                **common, subject=data["subject"], security_level=data.get("security_level")
            )
        return Response(DecisionSerializer(decision).data, status.HTTP_201_CREATED)


@extend_schema(request=EvaluateInput, responses={200: dict})
@api_view(["POST"])
def evaluate(request):
    """Evaluate every active or escalated plan's triggers now and raise alerts (the RWG)."""
    data = _valid(EvaluateInput, request)
    evaluation = services.evaluate_triggers(user=request.user, as_of=data["as_of"])
    return Response(
        {
            "as_of": evaluation.as_of,
            "quarter": evaluation.quarter,
            "plans": evaluation.plans,
            "raised": [a.pk for a in evaluation.raised],
            "already_raised": evaluation.already_raised,
            "figures_available": evaluation.figures_available,
        }
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
def summary(request):
    """The programme's counts: countries identified, plans approved, commitments received,
    MOUs under negotiation (totals that name no country)."""
    return Response(selectors.programme_summary(user=request.user))


@extend_schema(responses={200: dict})
@api_view(["GET"])
def calendar(request):
    """Open actions and upcoming engagements across the plans the user may see."""
    entries = [
        {**entry, "plan": entry["plan"].pk} for entry in selectors.calendar(user=request.user)
    ]
    return Response(entries)


router = SimpleRouter()
router.register("engagement/plans", PlanViewSet, basename="engagement-plan")
router.register("engagement/actions", ActionViewSet, basename="engagement-action")
router.register("engagement/engagements", EngagementRecordViewSet, basename="engagement-engagement")
router.register("engagement/commitments", CommitmentViewSet, basename="engagement-commitment")
router.register("engagement/steps", StepViewSet, basename="engagement-step")
router.register("engagement/triggers", TriggerViewSet, basename="engagement-trigger")
router.register("engagement/alerts", AlertViewSet, basename="engagement-alert")
router.register("engagement/meetings", MeetingViewSet, basename="engagement-meeting")
router.register("engagement/decisions", DecisionViewSet, basename="engagement-decision")

urlpatterns = [
    path("engagement/evaluate/", evaluate, name="engagement-evaluate"),
    path("engagement/summary/", summary, name="engagement-summary"),
    path("engagement/calendar/", calendar, name="engagement-calendar"),
    *router.urls,
]
