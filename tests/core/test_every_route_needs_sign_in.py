"""Every URL pattern and API route refuses an anonymous request.

The test walks the URL resolver, so a route added by any app is covered the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Open to everyone: the sign-in page and static files.
OPEN_ROUTES = {"accounts:sign_in"}
SAMPLE_ARGS = {
    "int": "1",
    "str": "XAA",
    "slug": "xaa",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "x",
    "drf_format_suffix": ".json",
}


def _example_path(route: str) -> str:
    """A concrete path for a route: sample values for converters and regex groups."""
    route = re.sub(r"\(\?P<format>[^)]*\)", "json", route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "1"), route)
    route = route.replace("/?", "/").replace("^", "").replace("$", "")
    return route.replace("\\.", ".").replace("\\", "")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern)


def _routes():
    resolver = get_resolver()
    seen = set()
    for name, route in _walk(resolver.url_patterns):
        path = "/" + _example_path(route)
        if name in OPEN_ROUTES or path in seen:
            continue
        seen.add(path)
        yield pytest.param(path, id=f"{name} {path}")


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(_routes()))
def test_anonymous_request_is_refused(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if path.startswith("/api/"):
            assert response.status_code in {401, 403}, (method, path)
        else:
            assert response.status_code == 302, (method, path)
            assert "/accounts/sign-in/" in response["Location"], (method, path)
