"""Which school a request belongs to, read from its host."""

from dataclasses import dataclass
from enum import StrEnum
from ipaddress import ip_address

from oneclass.services.schools import SchoolRoute, find_school_route
from oneclass.settings import get_settings


class HostKind(StrEnum):
    platform = "platform"  # the root domain: the platform's own pages
    school = "school"
    unknown = "unknown"  # a subdomain (or domain) that is no school of ours


@dataclass(frozen=True)
class HostResolution:
    kind: HostKind
    school: SchoolRoute | None = None


def _hostname(host: str) -> str:
    """'Harare-Primary.localhost:3000' -> 'harare-primary.localhost' (also handles [::1]:3000)."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_ip(hostname: str) -> bool:
    try:
        ip_address(hostname)
    except ValueError:
        return False
    return True


def resolve_host(host: str) -> HostResolution:
    """Map a request's host to the platform, one school, or nothing we serve."""
    base_domain = get_settings().base_domain.lower()
    hostname = _hostname(host)
    if not hostname or _is_ip(hostname) or hostname in (base_domain, f"www.{base_domain}"):
        return HostResolution(HostKind.platform)
    if hostname.endswith(f".{base_domain}"):
        label = hostname[: -len(base_domain) - 1]
        route = None if "." in label else find_school_route(subdomain=label)
    else:
        route = find_school_route(subdomain=None, domain=hostname)
    if route is None:
        return HostResolution(HostKind.unknown)
    return HostResolution(HostKind.school, route)
