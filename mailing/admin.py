"""The task queue in admin, for seeing what is queued, running or failed, without what a task
carries: an e-mail task's arguments are the whole message, a patient's link included."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

HIDDEN_FIELDS = ("args_kwargs", "return_value")

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = [
            name for name in super().get_readonly_fields(request, obj) if name not in HIDDEN_FIELDS
        ]
        return [*fields, "arguments"]

    @admin.display(description=_("arguments"))
    def arguments(self, obj) -> str:
        return _("Not shown: an e-mail task carries the whole message, a patient's link included.")
