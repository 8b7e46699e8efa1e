"""The origins a media outlet may frame us from: what an editor types, checked and normalised.

An origin goes verbatim into a ``Content-Security-Policy`` header, so anything but a plain
``scheme://host[:port]`` (a path, a wildcard, a quote, a space, ``javascript:``) is refused rather
than repaired: the header must never list more than the editor meant."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_ORIGINS = 20
_ORIGIN = re.compile(r"(?P<scheme>https?)://(?P<host>[^:/]+)(?::(?P<port>[0-9]{1,5}))?/?", re.ASCII | re.IGNORECASE)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _ascii_host(host):
    """``host`` in lower-case ASCII (a Chinese domain in its xn-- form), or None if it is not a
    DNS name or dotted IPv4 address."""
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    dotted_quad = all(label.isdigit() for label in labels)
    if dotted_quad and (len(labels) != 4 or any(int(label) > 255 for label in labels)):
        return None
    return host


def normalise_origin(value):
    """``value`` as ``scheme://host[:port]`` (lower case, default port dropped), or None.

    A trailing "/" is tolerated because browsers' address bars add one; any other path is not."""
    match = _ORIGIN.fullmatch(value)
    if match is None:
        return None
    host = _ascii_host(match["host"])
    port = int(match["port"]) if match["port"] else None
    if host is None or (port is not None and not 1 <= port <= 65535):
        return None
    scheme = match["scheme"].lower()
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def normalise_origins(text):
    """The distinct origins in ``text`` (one a line, blank lines ignored), or ValidationError
    naming every line that is not an origin."""
    origins, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip(" \t")
        if not line:
            continue
        origin = normalise_origin(line)
        if origin is None:
            errors.append(
                _("第 %(line)d 行不是有效的来源：只能写 https://域名 或 http://域名:端口，不能带路径。")
                % {"line": number}
            )
        elif origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        errors.append(_("来源最多 %(count)d 个。") % {"count": MAX_ORIGINS})
    if errors:
        raise ValidationError({"allowed_origins": errors})
    return origins
