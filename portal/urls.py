from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts import views as account_views

from . import views
from .admin_site import PortalAdminSite

# Admin admits only sessions verified by the second sign-in step, and has no login page of its
# own: it sends people to /accounts/login/. Its "view on site" shortcut keeps to what admin
# shows the person (portal/admin_site.py).
admin.site.__class__ = PortalAdminSite
admin.site.login = account_views.admin_login

admin.site.site_header = _("Consent portal administration")
admin.site.site_title = _("Consent portal admin")
admin.site.index_title = _("Clinic content and records")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/<str:code>/", views.language_switch, name="language_switch"),
    path("procedures/", include("education.urls")),
    path("consent/", include("consent.urls")),
    path("practice/", include("practice.urls")),
    path("accounts/", include("accounts.urls")),
    path("mail/", include("mailing.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
