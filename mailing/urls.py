from django.urls import path

from . import views

app_name = "mailing"

urlpatterns = [
    path("webhooks/tracking/", views.tracking_webhook, name="tracking_webhook"),
]
