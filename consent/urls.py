from django.urls import path

from .views import checkin, journey, kiosk, photos, record, reminders, verify

app_name = "consent"

urlpatterns = [
    path("i/<str:token>/", journey.invitation_open, name="open"),
    path("code/", journey.email_code, name="email_code"),
    path("session-ended/", journey.session_ended, name="session_ended"),
    path("agree/", journey.esign_agreement, name="esign"),
    path("step/<slug:step>/", journey.wizard_step, name="step"),
    path("step/<slug:step>/more-opened/", journey.more_opened, name="more_opened"),
    path("record/", record.record_home, name="record"),
    path("record/copy.pdf", record.record_pdf, name="record_pdf"),
    path("record/everything.zip", record.record_access_request, name="access_request"),
    path("record/withdraw/", record.record_withdraw, name="withdraw"),
    path("kiosk/", kiosk.kiosk_start, name="kiosk"),
    path("kiosk/still-here/", kiosk.kiosk_still_here, name="kiosk_still_here"),
    path("kiosk/finish/", kiosk.kiosk_finish, name="kiosk_finish"),
    path("kiosk/ended/", kiosk.kiosk_ended, name="kiosk_ended"),
    path("c/<str:token>/", checkin.checkin_open, name="checkin_open"),
    path("check-in/", checkin.checkin, name="checkin"),
    path("record/photos/", photos.record_photos, name="photos"),
    path("record/photos/withdraw/", photos.record_photo_withdraw, name="photo_withdraw"),
    path("verify/", verify.verify, name="verify"),
    path("reminders/stop/<str:signature>/", reminders.reminders_stop, name="reminders_stop"),
]
