"""The DPO's views of the deletion concept: the rules (edited through their service, with a reason), the purge
runs and the erasure receipts (read-only evidence)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consent.admin_readonly import ReadOnlyAdminMixin
from consent.jurisdictions import LANGUAGES
from retention.models import ErasureReceipt, PurgeRun, RetentionRule
from retention.services import retention_rule_update


class RetentionRuleForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=200,
        help_text=_("Why the rule changes (kept in its history with who changed it)."),
    )  # fmt: skip

    class Meta:
        model = RetentionRule
        fields = ["clock", "period_days", "action"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lang in LANGUAGES:
            self.fields[f"reason_{lang}"] = forms.CharField(
                label=_("Legal reason for the customer (%(language)s)") % {"language": lang},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(self.instance.legal_reason or {}).get(lang, ""),
            )


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    form = RetentionRuleForm
    list_display = ["category", "clock", "period_days", "action", "updated_at"]
    readonly_fields = ["category"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one rule per category, shipped by a migration

    def has_delete_permission(self, request: HttpRequest, obj: RetentionRule | None = None) -> bool:
        return False  # every category must keep a rule

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: RetentionRuleForm, change: bool) -> None:
        data = form.cleaned_data
        retention_rule_update(
            rule=obj, actor=request.user, reason=data["reason"], clock=data["clock"],
            period_days=data["period_days"], action=data["action"],
            legal_reason={lang: data[f"reason_{lang}"] for lang in LANGUAGES},
        )  # fmt: skip


@admin.register(PurgeRun)
class PurgeRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "progress_at", "outcome", "counts", "subjects_erased", "held_back",
                    "longest_transaction_ms"]  # fmt: skip
    list_filter = ["outcome"]


@admin.register(ErasureReceipt)
class ErasureReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["erased_at", "trigger", "reason", "reference", "actor", "counts", "recipients"]
    list_filter = ["trigger", "reason"]
    fields = ["id", "erased_at", "trigger", "actor", "reason", "reference", "counts", "kept", "recipients"]
    readonly_fields = fields
