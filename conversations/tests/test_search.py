"""The inbox search: names and words through the keyed-hash token index, phone numbers and e-mails through the
contact points' blind index, within what the agent may see; and the list's preview of the newest message."""

import io
import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from consent import services as consent_services
from consent.crypto import generate_master_key
from consent.tests.factories import SubjectFactory
from contactcenter import roles
from conversations import search, selectors, services
from conversations.models import Message, SearchToken, TeamMembership
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import ConversationFactory, TeamMembershipFactory

CARD = "4111 1111 1111 1111"
MUELLER, SILVA = "4915123456789", "5511987654321"

pytestmark = pytest.mark.usefixtures("fresh_watch_terms")


@pytest.fixture
def team(default_team, agent):
    TeamMembershipFactory(team=default_team, user=agent)
    return default_team


@pytest.fixture
def supervisor(team):
    return TeamMembershipFactory(
        team=team, user__username="super1", user__role=roles.SUPERVISOR, role=TeamMembership.Role.SUPERVISOR
    ).user


def write(number: str, text: str, mid: str, *, name: str = "Jürgen Müller") -> Message:
    return services.ingest(inbound=inbound_text(number, text, message_id=mid, name=name)).message


def found(user, q: str) -> set[int]:
    return {c.pk for c in selectors.conversation_page(user=user, q=q).rows}


# --- the tokens ------------------------------------------------------------------------------------------------


@pytest.mark.django_db  # the keyed-hash keys are read from the database once (HashKey, consent.crypto)
def test_words_are_normalised_accents_and_case_ignored_short_ones_dropped():
    assert search.tokens("Müller, MÜLLER und müller-Straße: a 1 #42 Øre") == ["muller", "und", "strasse", "42", "øre"]
    assert search.tokens("Café CAFE café") == ["cafe"]
    assert search.tokens(" ".join(f"w{n}" for n in range(500))) == [f"w{n}" for n in range(200)]  # capped
    assert search.query_digests("Müller") == search.query_digests("muller") == search.query_digests("MÜLLER")


@pytest.mark.django_db  # the keyed-hash keys are read from the database once (HashKey, consent.crypto)
def test_a_digest_is_keyed_and_reveals_no_word(settings):
    digest = search.token_digest("fahrrad")
    assert isinstance(digest, int) and -(2**63) <= digest < 2**63  # 64 bits of the HMAC, no text at all
    assert search.token_digest("fahrrad") == digest  # deterministic: a search finds what was indexed
    settings.FIELD_ENCRYPTION_KEY = generate_master_key()
    assert search.token_digest("fahrrad") != digest  # without the key, the same word cannot be hashed


def test_the_index_table_holds_nothing_readable(team, notices):
    write(MUELLER, f"Mein Fahrrad ist kaputt, Karte {CARD}", "wamid.p1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM conversations_searchtoken")
        rows = cursor.fetchall()
    assert SearchToken.objects.filter(message__isnull=False).count() >= 5
    assert SearchToken.objects.filter(message__isnull=True).count() == 2  # "jurgen", "muller"
    # Every column is an id, a time or the digest, a 64-bit integer: no column can hold a word or the card's digits.
    assert all(isinstance(value, int | None | str | datetime) for row in rows for value in row)
    texts = [value for row in rows for value in row if isinstance(value, str)]
    assert all(re.fullmatch(r"[\d\-: .+T]+", text) for text in texts)  # SQLite's timestamps come back as text
    digits = {value for value in SearchToken.objects.values_list("digest", flat=True)}
    assert all(isinstance(value, int) for value in digits)
    dump = " ".join(str(value) for row in rows for value in row).casefold()
    for word in ("fahrrad", "kaputt", "karte", "muller", "müller", "jurgen"):
        assert word not in dump
    # The card number's last four are indexed (as agents see them), and only as a digest.
    assert search.token_digest("1111") in digits and search.token_digest("4111") not in digits


def test_each_word_is_indexed_once_per_message(team, notices):
    message = write(MUELLER, "Paket Paket PAKET päket", "wamid.d1")
    assert SearchToken.objects.filter(message=message).count() == 1
    search.messages_index(messages=[message])  # indexing again adds nothing
    assert SearchToken.objects.filter(message=message).count() == 1


# --- finding ---------------------------------------------------------------------------------------------------


def test_a_customer_is_found_by_name_whatever_the_accents_and_case(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.n1").conversation
    write(SILVA, "Olá", "wamid.n2", name="Maria Silva")
    for q in ("muller", "MÜLLER", "Müller", "jurgen muller", "  Jürgen  "):
        assert found(agent, q) == {conversation.pk}, q
    assert found(agent, "schmidt") == set()


def test_a_renamed_customer_is_found_by_the_new_name_only(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.r1").conversation
    consent_services.subject_update(subject=conversation.subject, display_name="Jürgen Schmidt", actor=None,
                                    reason="rectification")  # fmt: skip
    assert found(agent, "schmidt") == {conversation.pk}
    assert found(agent, "muller") == set()


def test_words_of_messages_are_found_and_every_word_must_match(team, notices, agent):
    broken = write(MUELLER, "Das Fahrrad ist kaputt", "wamid.w1").conversation
    ordered = write(SILVA, "Fahrrad bestellt, wann kommt es?", "wamid.w2", name="Maria Silva").conversation
    assert found(agent, "fahrrad") == {broken.pk, ordered.pk}
    assert found(agent, "FAHRRAD kaputt") == {broken.pk}
    assert found(agent, "kaputt bestellt") == set()
    assert found(agent, "silva fahrrad") == {ordered.pk}  # a name and a word together
    assert found(agent, "!!") == set()  # nothing searchable: nothing found


def test_an_agents_reply_is_searchable(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.o1").conversation
    services.message_reply(conversation=conversation, actor=agent, text="Ihre Rücksendung ist angekommen")
    assert found(agent, "rucksendung") == {conversation.pk}


def test_a_card_number_is_not_searchable_only_what_agents_see(team, notices, agent):
    conversation = write(MUELLER, f"Karte {CARD}", "wamid.c1").conversation
    assert found(agent, "4111") == set()
    assert found(agent, "1111") == {conversation.pk}  # the last four, as the thread shows them


def test_a_customer_is_found_by_phone_number_in_any_usual_form(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.t1").conversation
    write(SILVA, "Olá", "wamid.t2", name="Maria Silva")
    for q in ("+4915123456789", "+49 151 23456789", "0049 151 234 567 89", "+49 (151) 234-567-89"):
        assert found(agent, q) == {conversation.pk}, q
    assert found(agent, "+49 151 99999999") == set()


def test_a_customer_is_found_by_e_mail_address(team, agent):
    subject = SubjectFactory(kind="email", value="anna.berg@example.org", display_name="Anna Berg")
    conversation = ConversationFactory(subject=subject, channel="webchat", team=team)
    ConversationFactory(team=team)
    assert found(agent, "Anna.Berg@Example.org") == {conversation.pk}
    assert found(agent, "anna@example.org") == set()


def test_a_colleagues_sensitive_conversation_is_found_by_its_agent_and_supervisor_only(
    team, notices, agent, supervisor, dpo
):
    colleague = TeamMembershipFactory(team=team, user__username="agent2").user
    conversation = write(MUELLER, "Das Fahrrad ist kaputt", "wamid.s1").conversation
    services.conversation_assign(conversation=conversation, agent=colleague, actor=None)
    write(MUELLER, "ich bin schwanger und kann nicht zur Post", "wamid.s2")
    conversation.refresh_from_db()
    assert conversation.sensitive
    assert found(agent, "fahrrad") == set() and found(agent, "muller") == set()
    assert found(agent, "+4915123456789") == set()
    assert found(colleague, "fahrrad") == found(supervisor, "fahrrad") == found(dpo, "fahrrad") == {conversation.pk}
    # Special-category words are never indexed: nobody finds the conversation by them.
    assert found(supervisor, "schwanger") == set()


def test_the_batched_ingest_indexes_its_messages(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.b0").conversation
    results = services.ingest_many(
        inbounds=[
            inbound_text(MUELLER, "Lieferung verspätet", message_id="wamid.b1", name="Jürgen Müller"),
            inbound_text(MUELLER, "Bitte Rückruf", message_id="wamid.b2", name="Jürgen Müller"),
        ]
    )
    assert all(r.created for r in results)
    assert all(SearchToken.objects.filter(message=r.message).exists() for r in results)
    assert found(agent, "verspatet") == found(agent, "ruckruf") == {conversation.pk}
    conversation.refresh_from_db()
    assert conversation.last_message_id == results[-1].message.pk


def test_the_index_is_off_when_the_setting_says_so_and_rebuilt_by_the_command(team, notices, agent, settings):
    settings.SEARCH_INDEX_ENABLED = False
    conversation = write(MUELLER, "Das Fahrrad ist kaputt", "wamid.x1").conversation
    assert not SearchToken.objects.exists() and found(agent, "fahrrad") == set()
    settings.SEARCH_INDEX_ENABLED = True
    out = io.StringIO()
    call_command("search_reindex", batch_size=1, stdout=out)
    count = SearchToken.objects.count()
    assert out.getvalue() == f"indexed 2 name token(s) and {count - 2} message token(s)\n"
    call_command("search_reindex", stdout=io.StringIO())
    assert SearchToken.objects.count() == count  # idempotent
    assert found(agent, "fahrrad") == found(agent, "muller") == {conversation.pk}


def test_tokens_go_with_their_message(team, notices, agent):
    message = write(MUELLER, "Das Fahrrad ist kaputt", "wamid.m1")
    Message.objects.filter(pk=message.pk).delete()
    assert not SearchToken.objects.filter(message__isnull=False).exists()
    assert found(agent, "fahrrad") == set() and found(agent, "muller") == {message.conversation_id}


# --- the preview -----------------------------------------------------------------------------------------------


def test_the_preview_masks_a_card_number_as_the_thread_does(team, notices, agent):
    message = write(MUELLER, f"meine Karte ist {CARD}, bitte abbuchen", "wamid.v1")
    [row] = selectors.conversation_page(user=agent).rows
    preview = selectors.conversation_render(row)["preview"]
    assert (
        preview["text"]
        == selectors.message_render(message)["text"]
        == ("meine Karte ist •••• •••• •••• 1111, bitte abbuchen")
    )
    assert preview | {"text": ""} == {"text": "", "type": "text", "direction": "in", "author_name": "",
                                      "automatic": False, "special_category": False}  # fmt: skip


def test_a_special_category_message_never_reaches_the_list(team, notices, agent, supervisor):
    write(MUELLER, "ich bin schwanger und kann nicht zur Post", "wamid.v2")
    [row] = selectors.conversation_page(user=supervisor).rows
    preview = selectors.conversation_render(row)["preview"]
    assert preview["text"] == "" and preview["special_category"]


def test_the_preview_is_cut_and_names_the_agent(team, notices, agent):
    conversation = write(MUELLER, "Hallo", "wamid.v3").conversation
    services.message_reply(conversation=conversation, actor=agent, text="Sehr geehrter Herr Müller, " + "x" * 300)
    [row] = selectors.conversation_page(user=agent).rows
    preview = selectors.conversation_render(row)["preview"]
    assert len(preview["text"]) == selectors.PREVIEW_LENGTH and preview["text"].endswith("…")
    assert preview["author_name"] == "agent1" and preview["direction"] == "out" and not preview["automatic"]


def test_a_conversation_without_messages_has_no_preview(team, agent):
    ConversationFactory(team=team)
    [row] = selectors.conversation_page(user=agent).rows
    assert selectors.conversation_render(row)["preview"] is None


def test_digits_that_could_be_a_phone_number_are_also_searched_as_words(team, agent, notices):
    ordered = write(MUELLER, "Meine Bestellung 2026-12-03 ist nicht angekommen", "wamid.n1").conversation
    assert found(agent, "2026-12-03") == {ordered.pk}  # a date in the text, though it parses as a number
    assert found(agent, f"+{MUELLER}") == {ordered.pk}  # and the customer's number still finds them
