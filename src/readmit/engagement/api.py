"""The engagement API under /api/v1/."""

urlpatterns: list = []
