"""The DPO's views of the deletion concept: the rules (edited through their service, with a reason), the purge
runs and the erasure receipts (read-only evidence)."""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consent.admin_languages import FieldsAddedInInit
from consent.admin_readonly import ReadOnlyAdminMixin
from consent.exceptions import DomainError, InvalidTransition
from consent.jurisdictions import JURISDICTIONS, LANGUAGE_CHOICES, LANGUAGES
from consent.models import Subject
from retention.models import ErasureReceipt, PurgeRun, RequestState, RetentionRule, SubjectRequest
from retention.models.requests import OPEN_STATES
from retention.services import retention_rule_update
from retention.services.request_exports import ANSWERED_BY_EXPORT, request_export_prepare
from retention.services.requests import (
    RECTIFIABLE_STATES,
    ContactInvalid,
    ContactTaken,
    ExtensionRefused,
    RequestIncomplete,
    request_extend,
    request_fulfil,
    request_receive,
    request_rectify,
    request_reject,
    request_verify,
)


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
                label=_("Legal reason for the customer (%(language)s)")
                % {"language": get_language_info(lang)["name_translated"]},
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(self.instance.legal_reason or {}).get(lang, ""),
            )


@admin.register(RetentionRule)
class RetentionRuleAdmin(FieldsAddedInInit, SimpleHistoryAdmin):
    form = RetentionRuleForm
    fieldsets = [
        (None, {"fields": ["category", "clock", "period_days", "action", *(f"reason_{lang}" for lang in LANGUAGES),
                           "reason"]}),
    ]  # fmt: skip
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


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("soon", _("Due within 3 days")), ("later", _("Due later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        open_ = queryset.filter(state__in=OPEN_STATES)
        if self.value() == "overdue":
            return open_.filter(effective_due__lt=now)
        if self.value() == "soon":
            return open_.filter(effective_due__gte=now, effective_due__lt=now + SOON)
        if self.value() == "later":
            return open_.filter(effective_due__gte=now + SOON)
        return queryset


SOON = timedelta(days=3)


class SubjectRequestAddForm(forms.ModelForm):
    """A request taken by e-mail or phone: staff record it; verification follows (or it came verified)."""

    subject_public_id = forms.UUIDField(label=_("Subject's public id"), required=False)
    jurisdiction_given = forms.ChoiceField(label=_("Jurisdiction (when the subject is unknown)"), required=False,
                                           choices=[("", "—"), ("GDPR", "GDPR"), ("LGPD", "LGPD")])  # fmt: skip

    class Meta:
        model = SubjectRequest
        fields = ["kind", "channel", "purposes"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        public_id = cleaned.get("subject_public_id")
        cleaned["subject"] = Subject.objects.filter(public_id=public_id).first() if public_id else None
        if public_id and cleaned["subject"] is None:
            self.add_error("subject_public_id", _("No subject has this public id."))
        if cleaned["subject"] is None and not cleaned.get("jurisdiction_given"):
            self.add_error("jurisdiction_given", _("Give the jurisdiction of a request from someone we do not know."))
        return cleaned


class RectificationForm(forms.Form):
    """The corrections a rectification asks for; an empty field leaves that data as it is. Nothing of what we
    hold is shown here: the customer says what is wrong, the DPO enters what is right."""

    display_name = forms.CharField(label=_("Corrected name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Corrected language"), required=False,
                                 choices=[("", _("unchanged")), *LANGUAGE_CHOICES])  # fmt: skip
    email = forms.CharField(label=_("Corrected e-mail address"), max_length=254, required=False,
                            help_text=_("Replaces the address we hold, or is added when we hold none."))  # fmt: skip
    whatsapp = forms.CharField(label=_("Corrected WhatsApp number"), max_length=32, required=False,
                               help_text=_("With its country code. Replaces the number we hold; its conversations "
                                           "stay with the customer."))  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("display_name", "language", "email", "whatsapp")):
            raise forms.ValidationError(_("Enter at least one correction."))
        return cleaned


def _rectify_refusal(exc: DomainError, request: SubjectRequest) -> str:
    """The service's refusal in the DPO's language (its own message is a developer's, in English)."""
    if isinstance(exc, ContactInvalid):
        return str(_("This is not a WhatsApp number with its country code, or not an e-mail address."))
    if isinstance(exc, ContactTaken):
        return str(_("A corrected e-mail address or number belongs to another customer: merge or erase that "
                     "customer's record first."))  # fmt: skip
    return str(_("This request cannot be rectified now (%(state)s): only a verified rectification is answered.")
               % {"state": request.get_state_display()})  # fmt: skip


def _refusal(exc: Exception, item: SubjectRequest) -> str:
    """Why the service refused a move, in the DPO's language: the service decides, its own words are a developer's,
    in English; the request as it stands tells which of its refusals it was."""
    values = {"reference": item.reference, "state": item.get_state_display(), "jurisdiction": item.jurisdiction}
    if isinstance(exc, InvalidTransition):
        return _("%(reference)s: not possible while the request is “%(state)s”.") % values
    if isinstance(exc, ExtensionRefused):
        if JURISDICTIONS[item.jurisdiction].request_answer_extended is None:
            return _("%(reference)s: %(jurisdiction)s allows no extension of the deadline.") % values
        if item.extended_until is not None:
            return _("%(reference)s was extended already.") % values
        if not item.is_open or timezone.now() > item.due_at:
            return _("%(reference)s: the customer must be told within the first deadline.") % values
        return _("%(reference)s: the customer cannot be told now, so it cannot be extended.") % values
    if isinstance(exc, RequestIncomplete):
        if item.state not in (RequestState.VERIFIED, RequestState.IN_PROGRESS):
            return _("%(reference)s: only a verified request is answered (%(state)s).") % values
        if item.subject_id is None:
            return _("%(reference)s names nobody we hold data about: reject it (we hold no data about them).") % values
        if item.kind == "rectification":
            return _("%(reference)s: a rectification is answered with its corrections (Rectify, on its page).") % values
        if item.exports.exists():
            return _("%(reference)s has its export already.") % values
    return f"{item.reference}: {exc}"


@admin.register(SubjectRequest)
class SubjectRequestAdmin(SimpleHistoryAdmin):
    """The DPO's queue: open requests first by their deadline, the overdue and the nearly due marked; each move
    through its service (``retention.services.requests``)."""

    list_display = ["reference", "kind", "state", "jurisdiction", "channel", "received_at", "deadline_marked"]
    list_filter = [DeadlineFilter, "kind", "state", "jurisdiction", "channel"]
    search_fields = ["reference"]
    readonly_fields = ["reference", "kind", "channel", "state", "jurisdiction", "subject_public_id", "received_at",
                       "due_at", "extended_until", "extension_ground", "extension_notified_at", "verified_at",
                       "simplified_reply_at", "closed_at", "rejection_ground", "purposes", "recipients_informed",
                       "created_by", "source"]  # fmt: skip
    exclude = ["subject"]
    actions = ["verify", "fulfil", "extend_complexity", "extend_number", "reject_identity_not_verified",
               "reject_manifestly_unfounded", "reject_excessive", "reject_no_data"]  # fmt: skip

    def get_urls(self):
        rectify = path("<int:pk>/rectify/", self.admin_site.admin_view(self.rectify_view),
                       name="retention_subjectrequest_rectify")  # fmt: skip
        return [rectify, *super().get_urls()]

    def rectify_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Fulfil a rectification with its corrections (``request_rectify``)."""
        found = SubjectRequest.objects.filter(pk=pk, kind="rectification").first()
        if found is None or not request.user.has_perm("retention.change_subjectrequest"):
            raise Http404  # the same for a request that is not there and one this user may not answer
        form = RectificationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                request_rectify(
                    request=found, actor=request.user, display_name=data["display_name"].strip() or None,
                    language=data["language"] or None,
                    contacts={"email": data["email"], "whatsapp": data["whatsapp"]},
                )  # fmt: skip
            except DomainError as exc:
                form.add_error(None, _rectify_refusal(exc, found))
            else:
                self.message_user(request, _("%(reference)s: rectified, the customer is told.") % {
                    "reference": found.reference})  # fmt: skip
                return redirect("admin:retention_subjectrequest_change", found.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": found,
                   "form": form, "title": _("Rectify %(reference)s") % {"reference": found.reference},
                   "answerable": found.state in RECTIFIABLE_STATES}  # fmt: skip
        return TemplateResponse(request, "admin/retention/subjectrequest/rectify.html", context,
                                status=400 if request.method == "POST" else 200)  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        still_open = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1))
        # Annotated before the ordering (ModelAdmin.get_queryset would order first, by names not yet there).
        annotated = SubjectRequest.objects.annotate(
            effective_due=Coalesce("extended_until", "due_at"), still_open=still_open
        )
        return annotated.order_by(*self.get_ordering(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["still_open", "effective_due", "pk"]  # annotated in get_queryset

    def get_form(self, request: HttpRequest, obj: SubjectRequest | None = None, **kwargs: Any):
        if obj is None:
            kwargs["form"] = SubjectRequestAddForm
            kwargs["exclude"] = []
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: SubjectRequest | None = None):
        if obj is None:
            return ["kind", "channel", "subject_public_id", "jurisdiction_given", "purposes"]
        return self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: SubjectRequest | None = None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: SubjectRequest | None = None) -> bool:
        # The page shows the request; every change is an action that calls its service.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: SubjectRequest | None = None) -> bool:
        return False  # the proof a request was answered goes by its retention rule

    def save_model(self, request: HttpRequest, obj: SubjectRequest, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = request_receive(
            kind=data["kind"], channel=data["channel"], actor=request.user, subject=data["subject"],
            jurisdiction=data.get("jurisdiction_given") or None, purposes=data.get("purposes") or (),
        )  # fmt: skip
        obj.pk, obj.reference = created.pk, created.reference

    @admin.display(description=_("recorded from the chat"))
    def source(self, obj: SubjectRequest) -> str:
        # Ids only: the message's text stays in its conversation, for whoever may read that.
        if obj.source_message_id is None:
            return "-"
        conversation = (
            SubjectRequest.objects.filter(pk=obj.pk).values_list("source_message__conversation_id", flat=True).first()
        )
        return _("message #%(message)s of conversation #%(conversation)s") % {
            "message": obj.source_message_id, "conversation": conversation,
        }  # fmt: skip

    @admin.display(description=_("deadline"), ordering="effective_due")
    def deadline_marked(self, obj: SubjectRequest) -> str:
        due = timezone.localtime(obj.deadline)
        if not obj.is_open:
            return format_html("{}", formats.date_format(due, "SHORT_DATE_FORMAT"))
        left = obj.deadline - timezone.now()
        if left < timedelta(0):
            mark, colour = _("overdue"), "#b00020"
        elif left < SOON:
            mark, colour = _("due within 3 days"), "#a15c00"
        else:
            mark, colour = "", ""
        waiting = _("waiting for verification") if obj.state in (RequestState.RECEIVED, RequestState.VERIFYING) else ""
        return format_html(
            '{} <strong style="color:{}">{}</strong> <em>{}</em>',
            formats.date_format(due, "SHORT_DATETIME_FORMAT"), colour, mark, waiting,
        )  # fmt: skip

    def _each(self, request: HttpRequest, queryset: QuerySet, done: str, call) -> None:
        moved, refused = 0, []
        for item in queryset:
            try:
                call(item)
                moved += 1
            except (DomainError, ValueError) as exc:
                refused.append(_refusal(exc, item))
        if moved:
            self.message_user(request, _("%(count)s request(s): %(done)s.") % {"count": moved, "done": done})
        for message in refused:
            self.message_user(request, message, level=messages.ERROR)

    @admin.action(description=_("Verify: the requester's identity is confirmed"))
    def verify(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, str(_("verified")),
                   lambda r: request_verify(request=r, actor=request.user, reason="verified by the DPO"))  # fmt: skip

    @admin.action(description=_("Fulfil: answer the request (export, erase, restrict, withdraw)"))
    def fulfil(self, request: HttpRequest, queryset: QuerySet) -> None:
        def fulfil(item: SubjectRequest) -> None:
            if item.kind in ANSWERED_BY_EXPORT:
                request_export_prepare(request=item, actor=request.user)  # the download, then completed
            else:
                request_fulfil(request=item, actor=request.user)

        self._each(request, queryset, str(_("fulfilled")), fulfil)

    @admin.action(description=_("Extend the deadline: the request is complex (the customer is told)"))
    def extend_complexity(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, str(_("extended")),
                   lambda r: request_extend(request=r, ground="complexity", actor=request.user))  # fmt: skip

    @admin.action(description=_("Extend the deadline: many requests at once (the customer is told)"))
    def extend_number(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, str(_("extended")),
                   lambda r: request_extend(request=r, ground="number", actor=request.user))  # fmt: skip

    def _reject(self, request: HttpRequest, queryset: QuerySet, ground: str) -> None:
        self._each(request, queryset, str(_("rejected")),
                   lambda r: request_reject(request=r, ground=ground, actor=request.user))  # fmt: skip

    @admin.action(description=_("Reject: identity not verified"))
    def reject_identity_not_verified(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reject(request, queryset, "identity_not_verified")

    @admin.action(description=_("Reject: manifestly unfounded"))
    def reject_manifestly_unfounded(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reject(request, queryset, "manifestly_unfounded")

    @admin.action(description=_("Reject: excessive"))
    def reject_excessive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reject(request, queryset, "excessive")

    @admin.action(description=_("Reject: we hold no data about them"))
    def reject_no_data(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._reject(request, queryset, "no_data")
