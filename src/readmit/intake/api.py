"""The intake API under /api/v1/: ingest a file, and read the ingest log.

`POST /api/v1/ingests/` (multipart: `kind`, `file`) ingests a file as the command and the
upload page do: 201 with the ingest's summary, or 400 with `detail`, `errors` (the problems,
each `row N, column NAME: what is wrong (value given)`) and the refused ingest's id.
`GET /api/v1/ingests/`, `/api/v1/ingests/{id}/` and `/api/v1/ingests/{id}/changes/` read
the log; like the pages, they are for users who may ingest, and show the ingests of the
kinds of file their clearance allows (selectors).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from readmit.accounts import rules
from readmit.intake import selectors, services
from readmit.intake.models import Ingest, IngestChange, IngestKind


class MayIngest(BasePermission):
    message = _("Only analysts and administrators may ingest files and read the ingest log.")

    def has_permission(self, request, view):
        return rules.can_ingest_data(request.user)


class IngestSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", default=None, read_only=True)
    errors = serializers.SerializerMethodField(
        help_text="The first problems found (100 at most), as the contract writes them."
    )

    class Meta:
        model = Ingest
        fields = [
            "id",
            "kind",
            "file_name",
            "checksum",
            "size_bytes",
            "user",
            "channel",
            "started_at",
            "finished_at",
            "status",
            "rows",
            "created",
            "updated",
            "unchanged",
            "error_count",
            "errors",
        ]
        read_only_fields = fields

    def get_errors(self, ingest) -> list[str]:
        return [error["text"] for error in ingest.errors]


class IngestUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IngestKind.choices)
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, as the data contract defines.")


class IngestChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestChange
        fields = ["key", "previous"]


REFUSAL = inline_serializer(
    "IngestRefusal",
    {
        "detail": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.CharField()),
        "ingest": serializers.IntegerField(help_text="The refused ingest in the log."),
    },
)


class IngestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ingest log; POST a file to ingest it."""

    serializer_class = IngestSerializer
    permission_classes = [MayIngest]
    parser_classes = [MultiPartParser, FormParser]
    queryset = Ingest.objects.none()  # for the schema; the selector decides

    def get_queryset(self):
        return selectors.visible_ingests(self.request.user)

    @extend_schema(
        request={"multipart/form-data": IngestUploadSerializer},
        responses={201: IngestSerializer, 400: REFUSAL},
    )
    def create(self, request):
        upload = IngestUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        try:
            ingest = services.ingest_file(
                kind=upload.validated_data["kind"],
                path=file.file,
                user=request.user,
                file_name=file.name,
                channel="api",
            )
        except services.IngestRefused as refusal:
            return Response(
                {"detail": refusal.message, "errors": refusal.errors, "ingest": refusal.ingest.pk},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(IngestSerializer(ingest).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=IngestChangeSerializer(many=True))
    @action(detail=True)
    def changes(self, request, pk=None):
        """The values each row the ingest changed had before it."""
        changes = self.paginate_queryset(selectors.ingest_changes(self.get_object()))
        return self.get_paginated_response(IngestChangeSerializer(changes, many=True).data)


router = SimpleRouter()
router.register("ingests", IngestViewSet, basename="intake-ingest")
urlpatterns = router.urls
