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


def languages(request):
    """The languages the portal speaks, each named in its own words, for the header's switcher."""
    return {"portal_languages": settings.LANGUAGES}
