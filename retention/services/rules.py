"""Changing a retention rule: validated, with who and why in its history."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from consent.history import history_note, reason_required
from retention.models import RetentionRule

RULE_FIELDS = ("clock", "period_days", "action", "legal_reason")


@transaction.atomic
def retention_rule_update(
    *, rule: RetentionRule, actor: AbstractBaseUser | None, reason: str, **changes: object
) -> RetentionRule:
    reason_required(reason, change="changing a retention rule")
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not a rule's field: {', '.join(sorted(unknown))}")
    rule = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    for field, value in changes.items():
        setattr(rule, field, value)
    rule.full_clean()
    history_note(rule, actor=actor, reason=reason)
    rule.save()
    return rule
