"""The assessment's pages under /<lang>/assessment/."""

from django.urls import path

from readmit.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("scorecard.csv", views.scorecard_download, {"file_format": "csv"}, name="scorecard_csv"),
    path(
        "scorecard.xlsx",
        views.scorecard_download,
        {"file_format": "xlsx"},
        name="scorecard_xlsx",
    ),
    path("countries/<str:code>/", views.country, name="country"),
    path("countries/<str:code>/decision/", views.record_decision, name="record_decision"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("methodologies/", views.methodologies, name="methodologies"),
    path(
        "methodologies/<str:version>/default/", views.make_default, name="make_default_methodology"
    ),
]
