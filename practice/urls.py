from django.urls import path

from . import insight_views, invitation_views, signer_views, views

app_name = "practice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("insight/", insight_views.insight_page, name="insight"),
    path("insight/<slug:table>.csv", insight_views.insight_csv, name="insight_csv"),
    path("invitations/new/", invitation_views.invitation_new, name="invitation_new"),
    path(
        "invitations/<int:pk>/resend/", invitation_views.invitation_resend, name="invitation_resend"
    ),
    path("invitations/<int:pk>/kiosk/", invitation_views.invitation_kiosk, name="invitation_kiosk"),
    path(
        "invitations/<int:pk>/health-review/", invitation_views.health_review, name="health_review"
    ),
    path("invitations/<int:pk>/email/", invitation_views.invitation_email, name="invitation_email"),
    path("records/<str:code>/", views.record_detail, name="record"),
    path("records/<str:code>/answer/", views.record_answer, name="answer"),
    path("records/<str:code>/countersign/", views.record_countersign, name="countersign"),
    path("records/<str:code>/witness/", signer_views.record_witness, name="witness"),
    path(
        "records/<str:code>/authority-document",
        signer_views.representative_document,
        name="representative_document",
    ),
    path("records/<str:code>/reconsent/", views.record_reconsent, name="reconsent"),
    path("records/<str:code>/link/", views.record_link_renew, name="link_renew"),
    path("records/<str:code>/record.pdf", views.record_pdf, name="record_pdf"),
    path("records/<str:code>/pdf-again", views.record_pdf_remake, name="record_pdf_remake"),
    path("records/<str:code>/fhir.json", views.record_fhir, name="record_fhir"),
    path(
        "records/<str:code>/access-request.zip",
        views.record_access_request,
        name="access_request",
    ),
]
