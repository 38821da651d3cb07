from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Consent portal administration"
admin.site.site_title = "Consent portal admin"
admin.site.index_title = "Clinic content and records"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("procedures/", include("education.urls")),
    path("consent/", include("consent.urls")),
    path("practice/", include("consent.practice_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
