"""The name and path rules of the Kubernetes API (apimachinery's validation), for the values devenv turns
into folder names, Compose keys and configuration: each returns the problem in words, or "" when valid.
"""

from __future__ import annotations

import ipaddress
import re

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
DNS_LABEL_RE = re.compile(_LABEL)
DNS_SUBDOMAIN_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
DNS_1035_RE = re.compile(r"[a-z](?:[-a-z0-9]*[a-z0-9])?")
WILDCARD_SUBDOMAIN_RE = re.compile(rf"\*\.{_LABEL}(?:\.{_LABEL})*")
ENV_NAME_RE = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
CONFIG_KEY_RE = re.compile(r"[-._a-zA-Z0-9]+")
PORT_NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")

LABEL_RULE = "an RFC 1123 label: at most 63 lower-case letters, digits and '-', starting and ending alphanumeric"
SUBDOMAIN_RULE = ("an RFC 1123 subdomain: at most 253 characters, lower-case letters, digits, '-' and '.', each "
                  "dot-separated part starting and ending alphanumeric")


def dns_label(value: str) -> str:
    if len(value) <= 63 and DNS_LABEL_RE.fullmatch(value):
        return ""
    return f"{value!r} is not {LABEL_RULE}"


def dns_1035_label(value: str) -> str:
    if len(value) <= 63 and DNS_1035_RE.fullmatch(value):
        return ""
    return f"{value!r} is not an RFC 1035 label: at most 63 lower-case letters, digits and '-', starting with a letter"


def dns_subdomain(value: str) -> str:
    if len(value) <= 253 and DNS_SUBDOMAIN_RE.fullmatch(value):
        return ""
    return f"{value!r} is not {SUBDOMAIN_RULE}"


def host_name(value: str) -> str:
    """An Ingress host: a DNS subdomain, or `*.` and one; never an IP address."""
    try:
        ipaddress.ip_address(value)
        return f"{value!r} is an IP address: an Ingress host must be a DNS name"
    except ValueError:
        pass
    if "*" in value:
        if len(value) <= 253 and WILDCARD_SUBDOMAIN_RE.fullmatch(value):
            return ""
        return f"{value!r} is not a wildcard DNS name ('*.' followed by {SUBDOMAIN_RULE})"
    return dns_subdomain(value)


def ip_address(value: str) -> str:
    try:
        ipaddress.ip_address(value)
        return ""
    except ValueError:
        return f"{value!r} is not an IP address"


def env_name(value: str) -> str:
    if ENV_NAME_RE.fullmatch(value):
        return ""
    return f"{value!r} is not a valid environment variable name (letters, digits, '_', '-' and '.', not starting " \
           "with a digit)"


def config_key(value: str) -> str:
    """A ConfigMap or Secret key: it becomes a file name when the object is mounted."""
    if len(value) <= 253 and CONFIG_KEY_RE.fullmatch(value) and value not in (".", "..") and not value.startswith(".."):
        return ""
    return f"{value!r} is not a valid key (letters, digits, '-', '_' and '.', not '.' or '..', not starting with '..')"


def descending_path(value: str) -> str:
    """A subPath: relative, without a `..` element (it must stay inside its volume)."""
    if value.startswith("/"):
        return f"{value!r} must be a relative path"
    if ".." in value.split("/"):
        return f"{value!r} must not contain '..'"
    return ""


def item_path(value: str) -> str:
    """A file path inside a ConfigMap, Secret, projected or downward API volume."""
    if not value:
        return "the path is empty"
    return descending_path(value) or (f"{value!r} must not start with '..'" if value.startswith("..") else "")


def port_name(value: str) -> str:
    """An IANA service name (a named port): at most 15 characters, at least one letter, no '--'."""
    if (len(value) <= 15 and PORT_NAME_RE.fullmatch(value) and "--" not in value
            and any(c.isalpha() for c in value)):
        return ""
    return f"{value!r} is not a port name (at most 15 lower-case letters, digits and '-', with a letter)"


def ingress_path(value: str, path_type: str) -> str:
    """An Ingress path: absolute; for Exact and Prefix also free of `//`, `/./`, `/../`, `%2f` and of a
    trailing `/..` or `/.` (the API server's rules)."""
    if not value.startswith("/"):
        return f"{value!r} must be an absolute path"
    if path_type in ("Exact", "Prefix"):
        for sequence in ("//", "/./", "/../", "%2f", "%2F"):
            if sequence in value:
                return f"{value!r} must not contain {sequence!r}"
        for suffix in ("/..", "/."):
            if value.endswith(suffix):
                return f"{value!r} cannot end with {suffix!r}"
    return ""
