from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.jurisdictions import LANGUAGE_CHOICES


class SensitivePolicy(models.TextChoices):
    MASK = "mask", _("Store; mask financial and national identifiers in the agent's view")
    REDACT = "redact", _("Store only the masked form and tell the customer which secure channel to use")


class Team(models.Model):
    """A group of agents sharing a queue. Conversations are routed to a team first."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=True,
        help_text=_("Assign new conversations to the least-loaded online agent."),
    )
    is_default = models.BooleanField(
        _("default team"), default=False, help_text=_("New conversations no other team claims land here.")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True,
        help_text=_('Customer languages this team serves first, e.g. ["de", "nl"].'),
    )  # fmt: skip
    sensitive_policy = models.CharField(
        _("sensitive-data policy"), max_length=8, choices=SensitivePolicy.choices, default=SensitivePolicy.MASK,
        help_text=_("What happens to card numbers, IBANs and national ids customers send."),
    )  # fmt: skip
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """Who works in a team, as agent or supervisor: it decides who sees which conversations, so every
    change is kept with who made it (history)."""

    class Role(models.TextChoices):
        """What a member does in the team: supervisors also see its sensitive conversations."""

        AGENT = "agent", _("Agent")
        SUPERVISOR = "supervisor", _("Supervisor")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("team"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique")]

    def __str__(self) -> str:
        return f"user #{self.user_id} in {self.team}"


class CannedResponse(models.Model):
    """A reusable reply, per team and language. Holds no personal data."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="canned_responses")
    shortcut = models.SlugField(max_length=40)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    title = models.CharField(max_length=100)
    body = models.TextField()

    class Meta:
        ordering = ["team", "shortcut", "language"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        constraints = [
            models.UniqueConstraint(fields=["team", "shortcut", "language"], name="canned_unique_per_language")
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut} ({self.language})"
