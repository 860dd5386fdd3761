"""The engagement pages under /<lang>/engagement/."""

from django.urls import path

from readmit.engagement import views

app_name = "engagement"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/actions/", views.plan_add_action, name="plan_add_action"),
    path("plans/<int:pk>/engagements/", views.plan_add_engagement, name="plan_add_engagement"),
    path("plans/<int:pk>/commitments/", views.plan_add_commitment, name="plan_add_commitment"),
    path("plans/<int:pk>/indicators/", views.plan_track_indicator, name="plan_track_indicator"),
    path("plans/<int:pk>/steps/", views.plan_add_step, name="plan_add_step"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
    path("commitments/<int:pk>/status/", views.commitment_status, name="commitment_status"),
    path("steps/<int:pk>/triggers/", views.step_add_trigger, name="step_add_trigger"),
    path("steps/<int:pk>/decide/", views.step_decide, name="step_decide"),
    path("alerts/", views.alert_list, name="alerts"),
    path("evaluate/", views.evaluate, name="evaluate"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("calendar/", views.calendar, name="calendar"),
    path("summary/", views.summary, name="summary"),
]
