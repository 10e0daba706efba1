"""The suite-wide guard refuses connections that would leave this machine."""

import socket

import pytest
import sitecustomize as netguard


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "::ffff:127.0.0.1", b"127.0.0.1"])
def test_loopback_hosts_are_allowed(host):
    assert netguard.is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "192.168.1.1", "8.8.8.8", "2001:db8::1", "example.org", "0.0.0.0"])
def test_other_hosts_are_refused(host):
    assert not netguard.is_loopback(host)


def test_the_guard_is_installed_for_this_process():
    assert getattr(socket.socket.connect, "_egress_guard", False)
    with pytest.raises(netguard.EgressRefused):
        socket.getaddrinfo("example.org", 443)


def test_loopback_connections_still_work():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
