"""The intake pages, under /<lang>/intake/."""

from django.urls import path

from readmit.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.IngestLogView.as_view(), name="log"),
    path("new/", views.IngestUploadView.as_view(), name="upload"),
    path("<int:pk>/", views.IngestView.as_view(), name="ingest"),
]
