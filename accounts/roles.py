"""Names of the staff roles (Django groups, created by accounts/migrations/0001_roles.py)."""

CLINIC_ADMINS = "Clinic admins"
PRACTITIONERS = "Practitioners"
