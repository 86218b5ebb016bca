"""The retention app's models: the deletion concept's configuration and evidence (``rules``)."""

from retention.models.exports import EXPORT_LIFETIME, DownloadVia, RequestDownload, RequestExport
from retention.models.requests import (
    TRANSITIONS,
    ExtensionGround,
    RejectionGround,
    RequestChannel,
    RequestKind,
    RequestState,
    SubjectRequest,
)
from retention.models.rules import ErasureReason, ErasureReceipt, PurgeRun, RetentionAction, RetentionRule
from retention.models.verification import VerificationChallenge

__all__ = [
    "EXPORT_LIFETIME",
    "TRANSITIONS",
    "DownloadVia",
    "ErasureReason",
    "ErasureReceipt",
    "ExtensionGround",
    "PurgeRun",
    "RejectionGround",
    "RequestChannel",
    "RequestDownload",
    "RequestExport",
    "RequestKind",
    "RequestState",
    "RetentionAction",
    "RetentionRule",
    "SubjectRequest",
    "VerificationChallenge",
]
