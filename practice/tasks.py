"""The practice area's scheduled job as a task: the notice of material overdue for review."""

import datetime

from django.conf import settings
from django.tasks import task
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.selectors import clinic_admins_with_email
from education.selectors import procedures_overdue_for_review
from mailing.services import email_enqueue, message_key


@task
def overdue_reviews_notify(*, day: str) -> int:
    """E-mail each clinic admin the published material overdue for clinical review on `day`
    (ISO date), as the dashboard lists it; once per admin and day however often it runs.
    Returns how many procedures are overdue (0: no e-mail)."""
    procedures = list(procedures_overdue_for_review(today=datetime.date.fromisoformat(day)))
    if not procedures:
        return 0
    context = {
        "procedures": procedures,
        "site_url": settings.SITE_URL.rstrip("/"),
        "clinic_name": settings.CLINIC_NAME,
    }
    for admin in clinic_admins_with_email():
        email_enqueue(
            message_key=message_key("practice.overdue_reviews", day, admin.pk),
            subject=_("%(clinic)s: patient material overdue for clinical review")
            % {"clinic": settings.CLINIC_NAME},
            body=render_to_string("practice/email/overdue_reviews.txt", {**context, "user": admin}),
            to=[admin.email],
        )
    return len(procedures)
