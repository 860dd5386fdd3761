"""The shared API pieces: the error handler every endpoint uses, and the country reference table."""

from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from readmit.core.errors import DomainError, PermissionRefused
from readmit.core.models import Country


def exception_handler(exc, context):
    """Domain errors become a 400 (or 403) with the same message a page would show."""
    if isinstance(exc, PermissionRefused):
        return Response({"detail": exc.message}, status=403)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.details:
            body["errors"] = exc.details
        return Response(body, status=400)
    return drf_exception_handler(exc, context)


class CountrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Country
        fields = ["code", "name_en", "name_fr", "is_user_assigned"]


class CountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Countries: ISO 3166-1 and the user-assigned codes declared in Readmit.

    The reference table says nothing about targeting; it is unclassified.
    """

    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_fields = ["is_user_assigned"]

    def get_view_description(self, html=False):
        return _("Countries known to Readmit.")


router = DefaultRouter()
router.register("countries", CountryViewSet, basename="country")
urlpatterns = router.urls
