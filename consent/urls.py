from django.urls import path

from . import verify_views, views

app_name = "consent"

urlpatterns = [
    path("i/<str:token>/", views.invitation_open, name="open"),
    path("session-ended/", views.session_ended, name="session_ended"),
    path("agree/", views.esign_agreement, name="esign"),
    path("step/<slug:step>/", views.wizard_step, name="step"),
    path("record/", views.record_home, name="record"),
    path("record/copy.pdf", views.record_pdf, name="record_pdf"),
    path("record/withdraw/", views.record_withdraw, name="withdraw"),
    path("verify/", verify_views.verify, name="verify"),
]
