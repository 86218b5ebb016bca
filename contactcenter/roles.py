"""Roles as Django groups, least privilege first.

- Agent: answers customers; sees subjects and their consent state, records
  a grant or withdrawal a customer states, and a data-protection request a
  customer writes into the chat. No admin access.
- Supervisor: an agent who also manages team membership and reads the ledger.
- DPO: the data-protection officer; owns purposes, notices and the ledger
  (verify, export), can correct a subject's jurisdiction and restrict processing
  of their data (GDPR Art. 18), defines watch terms,
  handles sensitive-data alerts, reads the staff access log, keeps the breach
  register. Cannot delete ledger events, access records or breach records:
  nobody can.
- Admin: runs the installation (users, tokens, teams) and everything above.
"""

from typing import Any

AGENT = "Agent"
SUPERVISOR = "Supervisor"
DPO = "DPO"
ADMIN = "Admin"

_AGENT = {
    "consent.view_subject",
    "consent.view_purpose",
    "consent.view_privacynotice",
    "consent.view_consentstate",
    "consent.add_consentevent",
    "conversations.view_team",
    "conversations.view_conversation",
    "conversations.change_conversation",
    "conversations.add_message",
    "conversations.view_message",
    "conversations.add_note",
    "conversations.view_cannedresponse",
    # A request the customer writes into the chat: the agent who reads it records it (the DPO works on it).
    "retention.add_subjectrequest",
}
_SUPERVISOR = _AGENT | {
    "consent.view_consentevent",
    "conversations.view_teammembership",
    "conversations.add_teammembership",
    "conversations.change_teammembership",
    "conversations.delete_teammembership",
    "conversations.add_cannedresponse",
    "conversations.change_cannedresponse",
    "conversations.delete_cannedresponse",
}
_DPO = _AGENT | {
    "consent.change_subject",
    "consent.view_contactpoint",
    "consent.add_purpose",
    "consent.change_purpose",
    "consent.add_privacynotice",
    "consent.change_privacynotice",
    "consent.view_consentevent",
    "consent.verify_ledger",
    "consent.export_consent_history",
    "conversations.view_teammembership",
    "conversations.view_all_conversations",
    "conversations.view_sensitivealert",
    "conversations.change_sensitivealert",
    "conversations.view_watchterm",
    "conversations.add_watchterm",
    "conversations.change_watchterm",
    "consent.view_accessrecord",
    # The deletion concept: rules, holds, what the purge and erasures did.
    "consent.view_legalhold",
    "consent.add_legalhold",
    "consent.change_legalhold",
    "retention.view_retentionrule",
    "retention.change_retentionrule",
    "retention.view_purgerun",
    "retention.view_erasurereceipt",
    # Subject requests: the queue, and each move through its action.
    "retention.view_subjectrequest",
    "retention.add_subjectrequest",
    "retention.change_subjectrequest",
    # The privacy programme: the controller, processors and recipients, supervisory authorities.
    "contactcenter.view_controller",
    "contactcenter.add_controller",
    "contactcenter.change_controller",
    "contactcenter.view_recipient",
    "contactcenter.add_recipient",
    "contactcenter.change_recipient",
    "contactcenter.view_supervisoryauthority",
    "contactcenter.add_supervisoryauthority",
    "contactcenter.change_supervisoryauthority",
    # The breach register: recorded, edited with history, never deleted; its draft notifications.
    "contactcenter.view_breach",
    "contactcenter.add_breach",
    "contactcenter.change_breach",
    "contactcenter.export_breach_notification",
}
_ADMIN = (
    _SUPERVISOR
    | _DPO
    | {
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
        "conversations.add_team",
        "conversations.change_team",
        "conversations.delete_team",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    AGENT: frozenset(_AGENT),
    SUPERVISOR: frozenset(_SUPERVISOR),
    DPO: frozenset(_DPO),
    ADMIN: frozenset(_ADMIN),
}


def roles_sync(*, group_model: Any, permission_model: Any) -> None:
    """Create the groups and grant each exactly the permissions the table names that exist yet."""
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    from django.apps import apps

    # post_migrate fires once per app with models; act once, after the last one.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if getattr(sender, "label", None) != last.label:
        return
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Permissions are created per app by the same signal; apps after ours in
    # INSTALLED_APPS would not have theirs yet.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    roles_sync(group_model=Group, permission_model=Permission)
