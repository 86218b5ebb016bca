"""The client's address behind the proxies the operator trusts, and only as far as it trusts them."""

import pytest

from consent.network import client_address, limit_address, request_client_address, scope_client_address

CLIENT, OTHER, PROXY = "203.0.113.7", "198.51.100.20", "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(CLIENT, forwarded_for=OTHER) == CLIENT  # anyone can send the header
    assert client_address(PROXY, forwarded_for=CLIENT) == PROXY


def test_behind_a_trusted_proxy_the_client_is_the_address_it_appended(behind_proxy):
    assert client_address(PROXY, forwarded_for=CLIENT) == CLIENT
    assert client_address("::1", forwarded_for=f"{CLIENT}, 10.1.2.3") == CLIENT  # two of our proxies
    assert client_address(PROXY, forwarded_for="[2001:db8::9]:443") == "2001:db8::9"
    assert client_address(PROXY, forwarded_for=f"{CLIENT}:51234") == CLIENT


def test_what_a_client_writes_before_our_proxy_is_not_believed(behind_proxy):
    # The client sent "X-Forwarded-For: 198.51.100.20"; our proxy appended the client's real address.
    assert client_address(PROXY, forwarded_for=f"{OTHER}, {CLIENT}") == CLIENT
    # A peer that is no proxy of ours cannot name another client.
    assert client_address(CLIENT, forwarded_for=OTHER) == CLIENT
    # Garbage stops the walk at the last trusted hop.
    assert client_address(PROXY, forwarded_for="unknown") == PROXY
    assert client_address(PROXY, forwarded_for=f"{CLIENT}, not-an-address, 10.9.9.9") == "10.9.9.9"
    # Only proxies all the way: the farthest of them.
    assert client_address(PROXY, forwarded_for="10.7.7.7") == "10.7.7.7"
    assert client_address(PROXY) == PROXY


def test_requests_and_sockets_are_read_alike(behind_proxy):
    assert request_client_address({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": CLIENT}) == CLIENT
    assert request_client_address({}) == ""
    scope = {"client": [PROXY, 40000], "headers": [(b"host", b"cc.example"), (b"x-forwarded-for", CLIENT.encode())]}
    assert scope_client_address(scope) == CLIENT
    assert scope_client_address({"client": None, "headers": []}) == ""
    assert client_address(f"::ffff:{CLIENT}") == CLIENT  # an IPv4 client on a dual-stack socket


def test_limits_count_an_ipv6_host_by_its_64_and_an_ipv4_one_by_its_address():
    assert limit_address(CLIENT) == CLIENT
    assert limit_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == limit_address("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert limit_address("2001:db8:1:3::1") == "2001:db8:1:3::/64"  # the next /64 is another
    assert limit_address(f"::ffff:{CLIENT}") == CLIENT
    assert limit_address(limit_address("2001:db8::1")) == "2001:db8::/64"  # counted once, however often mapped
    assert limit_address("") == ""
