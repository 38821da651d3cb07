from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("two-factor/", views.SecondFactorView.as_view(), name="two_factor"),
    path("two-factor/setup/", views.EnrolmentView.as_view(), name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("logout/", views.sign_out, name="logout"),
]
