"""Early statuses nobody claims are purged after a day, in batches, and a rerun changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.models import EarlyStatus


@pytest.mark.django_db
def test_unclaimed_early_statuses_older_than_a_day_are_purged():
    now = timezone.now()
    for n in range(5):
        row = EarlyStatus.objects.create(provider="whatsapp", provider_message_id=f"wamid.old{n}", status="read",
                                         timestamp=now)  # fmt: skip
        EarlyStatus.objects.filter(pk=row.pk).update(created_at=now - timedelta(hours=30))
    EarlyStatus.objects.create(provider="whatsapp", provider_message_id="wamid.fresh", status="sent", timestamp=now)

    out = StringIO()
    call_command("purge_early_statuses", "--batch-size", "2", stdout=out)

    assert out.getvalue().strip() == "purged 5 early status(es)"
    assert list(EarlyStatus.objects.values_list("provider_message_id", flat=True)) == ["wamid.fresh"]
    out = StringIO()
    call_command("purge_early_statuses", stdout=out)
    assert out.getvalue().strip() == "purged 0 early status(es)"
