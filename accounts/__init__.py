"""Staff sign-in: a password, then a one-time code; lockout after repeated failures; session limits.

Practitioners and clinic admins sign in at /accounts/login/. Patients never have an account: they
reach their consent through a personal link (see consent/views.py).
"""
