"""Refuse every non-loopback connection in test processes (and their Python subprocesses)."""

import ipaddress
import os
import socket

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def is_loopback(host: object) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; a bytes or str host."""
    if isinstance(host, bytes):
        host = host.decode(errors="ignore")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%")[0]
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


class EgressRefused(ConnectionRefusedError):
    """A test tried to reach a host off this machine."""


def _refuse(what: str) -> None:
    """Record the attempt (SCHOOLOT_NET_GUARD_LOG names a file) and refuse it."""
    log = os.environ.get("SCHOOLOT_NET_GUARD_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {what}\n")
    raise EgressRefused(f"network guard: {what} refused (tests are offline)")


def _guard_address(sock: socket.socket, address: object) -> None:
    inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    if inet and not is_loopback(address[0]):
        _refuse(f"connection to {address[0]}")


def install() -> None:
    """Patch socket connect and name lookup; idempotent."""
    if getattr(socket.socket.connect, "_egress_guard", False):
        return
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def guarded_connect(self, address):
        _guard_address(self, address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        _guard_address(self, address)
        return connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if host is not None and not is_loopback(host):
            _refuse(f"name lookup of {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    guarded_connect._egress_guard = True
    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo


if os.environ.get("SCHOOLOT_NET_GUARD") == "1":
    install()
