"""People in the API: the signed-in user's own access, and the departments."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from readmit.accounts.models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name_en", "name_fr", "is_active"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    lookup_field = "code"


class MeSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = ["username", "department", "role", "clearance", "has_need_to_know"]


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """The signed-in user's department, role, clearance and need-to-know."""
    return Response(MeSerializer(request.user).data)


router = SimpleRouter()
router.register("departments", DepartmentViewSet, basename="department")
urlpatterns = [path("me/", me, name="api-me"), *router.urls]
