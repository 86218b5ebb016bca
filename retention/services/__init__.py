"""Every write of the retention app: erasure, purge, export and the rules' changes."""

from retention.services.erasure import LegalHoldActive, subject_erase

__all__ = ["LegalHoldActive", "subject_erase"]
