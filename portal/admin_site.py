"""The admin site: django-otp's (a verified second factor for every page), with a "view on
site" shortcut that keeps to what the signed-in person may see in admin."""

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path
from django_otp.admin import OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        """Django's shortcut (a redirect to the object's own page), only for a model whose admin
        offers "view on site", to someone who may view it, for an object that admin shows them.
        Django's own looks the object up unfiltered: a practitioner with staff access would learn
        the code of any record from where it redirects."""
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type else None
        model_admin = self._registry.get(model)
        if (
            model_admin is None
            or not model_admin.view_on_site
            or not model_admin.has_view_permission(request)
        ):
            raise Http404("Nothing to show on the site.")
        try:
            visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            visible = False
        if not visible:
            raise Http404("Nothing to show on the site.")
        return shortcut(request, content_type_id, object_id)
