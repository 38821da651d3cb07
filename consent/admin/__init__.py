"""Admin for the consent app: the clinic's facts, the invitations, and the signed records.

Importing the modules registers their model admins.
"""

from . import clinic, invitations, records

__all__ = ["clinic", "invitations", "records"]
