from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.procedure_library, name="procedure_library"),
    path("<slug:slug>/", views.procedure_detail, name="procedure_detail"),
    path("<slug:slug>/versions/<int:number>/", views.procedure_version, name="procedure_version"),
]
