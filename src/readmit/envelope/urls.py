"""The envelope's pages, under /<lang>/envelope/."""

from django.urls import path

from readmit.envelope import views

app_name = "envelope"

urlpatterns = [
    path("", views.EnvelopeIndexView.as_view(), name="index"),
    path("<int:pk>/", views.DashboardView.as_view(), name="dashboard"),
    path("<int:pk>/amendments/", views.AmendmentsView.as_view(), name="amendments"),
    path("<int:pk>/projects/", views.ProjectListView.as_view(), name="projects"),
    path("<int:pk>/figures.xlsx", views.WorkbookView.as_view(), name="workbook"),
    path("<int:pk>/iati.xml", views.IatiView.as_view(), name="iati"),
    path("<int:pk>/projects/new/", views.ProjectCreateView.as_view(), name="project_new"),
    path("projects/<int:pk>/", views.ProjectView.as_view(), name="project"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("projects/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment_new"),
    path("projects/<int:pk>/status/", views.ProjectStatusView.as_view(), name="project_status"),
]
