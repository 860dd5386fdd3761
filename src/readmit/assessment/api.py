"""The assessment API under /api/v1/."""

urlpatterns: list = []
