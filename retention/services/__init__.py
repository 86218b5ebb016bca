"""Every write of the retention app: erasure, purge, export and the rules' changes."""

from retention.services.erasure import InvalidErasureReason, LegalHoldActive, subject_erase
from retention.services.export import ExportResult, subject_export
from retention.services.purge import purge_expired
from retention.services.reapply import erasures_reapply
from retention.services.rules import retention_rule_update

__all__ = [
    "ExportResult",
    "InvalidErasureReason",
    "LegalHoldActive",
    "erasures_reapply",
    "purge_expired",
    "retention_rule_update",
    "subject_erase",
    "subject_export",
]
