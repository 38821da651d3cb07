from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consent import services
from consent.models import ConsentInvitation, ConsentRecord


class Command(BaseCommand):
    help = (
        "Place or lift a legal hold on one signed record (--record CODE) or on a patient (every "
        "invitation with the e-mail and date of birth of --invitation ID). Nothing on hold is "
        "purged; placing and lifting are chained events on the records."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--record", metavar="CODE")
        target.add_argument("--invitation", metavar="ID", type=int)
        parser.add_argument("--reason", default="")
        parser.add_argument("--lift", action="store_true", help="Lift the hold instead.")
        parser.add_argument("--by", metavar="USERNAME", required=True, help="A clinic admin.")

    def handle(self, *args, record, invitation, reason, lift, by, **options):
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {by!r}.")
        try:
            if record:
                target = ConsentRecord.objects.select_related("invitation").get(code=record)
                if lift:
                    services.record_hold_lift(record=target, user=user, reason=reason)
                else:
                    services.record_hold_place(record=target, user=user, reason=reason)
                self.stdout.write(f"Record {record}: hold {'lifted' if lift else 'placed'}.")
            else:
                target = ConsentInvitation.objects.get(pk=invitation)
                action = services.patient_hold_lift if lift else services.patient_hold_place
                count = action(invitation=target, user=user, reason=reason)
                self.stdout.write(
                    f"Patient of invitation #{invitation}: hold {'lifted' if lift else 'placed'} "
                    f"on {count} invitations."
                )
        except (ConsentRecord.DoesNotExist, ConsentInvitation.DoesNotExist):
            raise CommandError("No such record or invitation.") from None
        except services.RetentionRefused as refused:
            raise CommandError(str(refused)) from None
