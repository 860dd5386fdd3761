"""The envelope API under /api/v1/."""

urlpatterns: list = []
