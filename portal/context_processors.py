from django.conf import settings


def clinic(request):
    """The clinic's name and help lines, shown in every page's header and footer."""
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "phone": settings.CLINIC_PHONE,
            "email": settings.CLINIC_EMAIL,
            "emergency_number": settings.EMERGENCY_NUMBER,
        }
    }
