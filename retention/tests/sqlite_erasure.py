"""The erasure scenario on a fresh SQLite file, in its own process (``test_sqlite_files_keep_nothing_of_her``).

Run by the test as ``manage.py shell -c`` with ``DATABASE_URL`` naming the file, so that the raw database file
and its write-ahead log can be searched whatever database the rest of the suite uses. Prints what the test
needs as one JSON line.
"""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from devtools.fakegraph import FakeGraphAPI
from retention.services import subject_erase
from retention.tests import scenario


def main() -> None:
    settings.OUTBOUND_BACKOFF_SECONDS = 0.001
    fake = FakeGraphAPI(access_token=settings.WHATSAPP_ACCESS_TOKEN, auto_statuses=()).start()
    settings.WHATSAPP_API_BASE = fake.url
    try:
        world = scenario.build(media_id=fake.add_media(scenario.PICTURE), user_model=get_user_model())
    finally:
        fake.stop()
    name = Path(connection.settings_dict["NAME"])
    before = b"".join(p.read_bytes() for p in name.parent.glob(f"{name.name}*"))
    subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request")
    present = [wamid for wamid in world.wamids if wamid.encode() in before]
    print(json.dumps({"wamids": world.wamids, "present_before": present, "otto": str(world.otto.public_id)}))
