"""The conversation list a page at a time: keyset cursor, the total, stable while messages arrive, constant cost."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from conversations import selectors
from conversations.models import Conversation
from conversations.tests.factories import ConversationFactory, MessageFactory

URL = "/api/v1/conversations/"


@pytest.fixture
def api(dpo) -> APIClient:
    client = APIClient()
    client.force_authenticate(dpo)
    return client


def many(count: int) -> list[Conversation]:
    """``count`` conversations, newest activity first by creation; some share a moment, two have none yet."""
    now = timezone.now()
    rows = []
    for n in range(count):
        moment = None if n < 2 else now - timedelta(minutes=(count - n) // 3)  # ties of three
        rows.append(ConversationFactory(last_message_at=moment))
    return rows


def pages(api: APIClient, url: str, *, between=None) -> tuple[list[int], list[int]]:
    """(ids in the order the pages gave them, the count of each page)."""
    ids, counts = [], []
    while url:
        body = api.get(url).json()
        ids += [row["id"] for row in body["results"]]
        counts.append(body["count"])
        url = body["next"]
        if between and url:
            between()
    return ids, counts


def test_paging_reaches_the_last_of_105_once_in_the_lists_order(api):
    rows = many(105)
    ids, counts = pages(api, URL + "?limit=50")
    assert len(ids) == 105 and set(ids) == {c.pk for c in rows}
    assert counts == [105, 105, 105]
    expected = Conversation.objects.order_by("-last_message_at", "-id")  # what the page shows: nulls last
    assert ids == [c.pk for c in expected if c.last_message_at] + [c.pk for c in expected if not c.last_message_at]


def test_messages_arriving_between_pages_cause_no_duplicate_and_no_gap(api):
    rows = many(105)
    seen: list[int] = []

    def busy():
        # The conversations just read get new messages (they move to the top), and new ones open.
        for conversation in Conversation.objects.filter(pk__in=seen[-3:]):
            MessageFactory(conversation=conversation)
            conversation.last_message_at = timezone.now()
            conversation.save(update_fields=["last_message_at"])
        ConversationFactory(last_message_at=timezone.now())

    url = URL + "?limit=20"
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        if url:
            busy()
    assert sorted(seen) == sorted(c.pk for c in rows)  # each of the 105 once; what moved up, the socket brings


def test_the_page_counts_only_what_the_filters_and_the_search_select(api):
    many(5)
    ConversationFactory(status="pending")
    body = api.get(URL + "?status=pending").json()
    assert body["count"] == 1 and body["next"] is None and len(body["results"]) == 1


@pytest.mark.parametrize("cursor", ["nonsense", "!!!", "MjAyNi0wMS0wMVQwMDowMDowMHwtMQ", "fDA"])
def test_a_cursor_this_list_did_not_give_is_refused_clearly(api, cursor):
    response = api.get(URL, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["error"] and "cursor" in str(response.json()["detail"])


def test_a_bad_limit_is_refused(api):
    assert api.get(URL + "?limit=0").status_code == 400
    assert api.get(URL + "?limit=201").status_code == 400


def test_the_selector_pages_with_its_cursor(dpo):
    rows = many(7)
    first = selectors.conversation_page(user=dpo, limit=4)
    second = selectors.conversation_page(user=dpo, before=first.next, limit=4)
    assert first.total == second.total == 7 and second.next is None
    assert {c.pk for c in first.rows + second.rows} == {c.pk for c in rows}
    with pytest.raises(selectors.BadCursor):
        selectors.conversation_page(user=dpo, before="garbage")


def test_one_page_costs_the_same_queries_whatever_its_size(api, agent):
    for conversation in many(30):
        MessageFactory(conversation=conversation, author=agent, content={"text": "Guten Tag"})
    for conversation in Conversation.objects.all():
        conversation.last_message = conversation.messages.last()
        conversation.save(update_fields=["last_message"])
    api.get(URL + "?limit=1")  # permissions cached, as for any signed-in client

    def cost(limit: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = api.get(URL + f"?limit={limit}").json()
        assert len(body["results"]) == limit and body["results"][-1]["preview"]["author_name"] == "agent1"
        return len(queries)

    assert cost(3) == cost(25)
