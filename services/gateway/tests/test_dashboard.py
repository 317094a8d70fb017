"""The dashboard the gateway serves: its page and assets with strict headers and caching, open
without a credential while ``/api/v1`` stays closed, nothing served but its own files, every
module it imports present, no other origin named, no markup built from strings, valid JS."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath

import httpx
import pytest
from fastapi import FastAPI

from pacbot.gateway.access import ACCESS
from pacbot.gateway.dashboard.site import STATIC, Site
from services.gateway.tests.conftest import key_for, running_gateway

JS_FILES = sorted(STATIC.rglob("*.js"))
TEXT_FILES = sorted(p for p in STATIC.rglob("*") if p.suffix in (".js", ".css", ".html", ".svg"))
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
"""An XML namespace name (an identifier, never fetched): the one absolute URL allowed."""
IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](?P<a>[^'"]+)['"]"""  # import {x} from '...'
    r"""|^\s*import\s*['"](?P<b>[^'"]+)['"]"""  # import '...'
    r"""|\bimport\(\s*['"](?P<c>[^'"]+)['"]"""  # import('...')
    r"""|\bnew\s+URL\(\s*['"](?P<d>[^'"]+)['"]\s*,\s*import\.meta\.url""",  # a file beside it
    re.MULTILINE,
)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with running_gateway(tmp_path) as app:
        yield app


def client(app: FastAPI, cookies: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://gateway", cookies=cookies
    )


def assert_strict_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_page_is_served_at_the_root_with_strict_headers_and_no_cache(
    app: FastAPI,
) -> None:
    async with client(app) as http:
        page = await http.get("/")
        head = await http.head("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert_strict_headers(page)
    assert head.status_code == 200
    assert head.content == b""
    version = Site.load().version
    assert f'src="/ui/{version}/main.js"' in page.text
    assert f'href="/ui/{version}/app.css"' in page.text
    assert "__UI__" not in page.text


async def test_every_asset_is_served_under_its_version_with_a_long_cache(app: FastAPI) -> None:
    site = Site.load()
    kinds = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    async with client(app) as http:
        for path in TEXT_FILES:
            name = path.relative_to(STATIC).as_posix()
            if name == "index.html":
                continue
            answer = await http.get(f"/ui/{site.version}/{name}")
            assert answer.status_code == 200, name
            assert answer.content == path.read_bytes(), name
            assert answer.headers["content-type"].startswith(kinds[path.suffix]), name
            assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert_strict_headers(answer)


async def test_the_version_changes_with_the_content(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    before = Site.load(folder)
    (folder / "app.css").write_text((folder / "app.css").read_text() + "\n/* changed */\n")
    after = Site.load(folder)
    assert before.version != after.version
    assert Site.load(folder).version == after.version
    assert f"/ui/{after.version}/main.js".encode() in after.index


@pytest.mark.parametrize(
    "path",
    [
        "/ui/0000000000000000/main.js",  # another release: never cached as this one
        "/ui/{v}/nope.js",
        "/ui/{v}/index.html",  # the page is only at /
        "/ui/{v}/../site.py",
        "/ui/{v}/%2e%2e/site.py",
        "/ui/{v}/..%2f__init__.py",
        "/ui/{v}/%2e%2e%2f%2e%2e%2fsettings.py",
        "/ui/{v}//etc/passwd",
        "/ui/{v}/pages/../../routes.py",
        "/ui/{v}/",
        "/ui/{v}",
        "/index.html",
        "/static/main.js",
    ],
)
async def test_nothing_but_the_dashboards_own_files_is_served(app: FastAPI, path: str) -> None:
    version = Site.load().version
    async with client(app) as http:
        answer = await http.get(path.replace("{v}", version), follow_redirects=True)
    assert answer.status_code == 404, path
    assert b"import" not in answer.content
    assert b"def " not in answer.content


async def test_the_dashboard_needs_no_credential_and_the_api_still_does(app: FastAPI) -> None:
    version = Site.load().version
    paths = ("/", f"/ui/{version}/main.js", f"/ui/{version}/access.json")
    async with client(app) as http, client(app, {"pacbot_session": "forged"}) as forged:
        for path in paths:
            assert (await http.get(path)).status_code == 200, path
            assert (await forged.get(path)).status_code == 200, path
        assert (await http.get("/api/v1/me")).status_code == 401
        assert (await forged.get("/api/v1/me")).status_code == 401
        headers = await key_for(app, "viewer")
        assert (await http.get("/api/v1/me", headers=headers)).status_code == 200


async def test_the_page_and_its_assets_say_nothing_about_the_caller_or_the_estate(
    app: FastAPI,
) -> None:
    """The same bytes whoever asks: nothing in them comes from the database or the session."""
    version = Site.load().version
    headers = await key_for(app, "admin", subject="admin@example.test")
    async with client(app) as http:
        for path in ("/", f"/ui/{version}/main.js", f"/ui/{version}/access.json"):
            anonymous = await http.get(path)
            signed_in = await http.get(path, headers=headers)
            assert anonymous.content == signed_in.content
            assert b"admin@example.test" not in anonymous.content
            assert "set-cookie" not in anonymous.headers


def test_dashboard_routes_stay_out_of_the_api_document() -> None:
    from pacbot.gateway.app import create_app
    from pacbot.gateway.settings import GatewaySettings

    app = create_app(GatewaySettings(database_url="sqlite+aiosqlite:///:memory:", bus="memory"))
    paths = app.openapi()["paths"]
    assert "/" not in paths
    assert not [p for p in paths if p.startswith("/ui")]


def test_the_access_table_the_dashboard_reads_is_the_gateways() -> None:
    rows = json.loads(Site.load().assets["access.json"].body)
    table = {(r["method"], r["route"]): set(r["roles"]) for r in rows}
    assert table == {key: set(rule.roles) for key, rule in ACCESS.items()}


def imports_of(path: Path) -> list[str]:
    return [next(t for t in m.groups() if t) for m in IMPORT.finditer(path.read_text())]


def test_every_module_the_page_imports_exists() -> None:
    index = (STATIC / "index.html").read_text()
    entry = re.findall(r'src="__UI__/([^"]+)"', index)
    assert entry == ["main.js"]
    served = set(Site.load().assets)
    seen: set[str] = set()
    todo = list(entry)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in served, f"{name} is imported but not served"
        if not name.endswith(".js"):
            continue
        for target in imports_of(STATIC / name):
            assert target.startswith("./") or target.startswith("../"), (name, target)
            resolved = os.path.normpath(PurePosixPath(name).parent / target).replace(os.sep, "/")
            assert not resolved.startswith(".."), (name, target)
            todo.append(resolved)
    unused = {p.relative_to(STATIC).as_posix() for p in JS_FILES} - seen
    assert unused == set(), "modules nothing imports"
    assert "access.json" in seen


def test_no_file_names_another_origin() -> None:
    url = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)
    for path in TEXT_FILES:
        text = path.read_text().replace(SVG_NAMESPACE, "")
        found = url.findall(text)
        assert found == [], f"{path.name} names another origin: {found}"
    assert "@import" not in (STATIC / "app.css").read_text()
    assert "url(" not in (STATIC / "app.css").read_text()


def test_no_inline_script_style_or_handler_in_the_page() -> None:
    index = (STATIC / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", index, re.DOTALL)
    assert scripts == [""], "only the external module script"
    assert "<style" not in index
    assert not re.search(r"\sstyle\s*=", index)
    assert not re.search(r"\son[a-z]+\s*=", index)
    assert "javascript:" not in index


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: p.relative_to(STATIC).as_posix())
def test_scripts_never_turn_strings_into_markup_or_code(path: Path) -> None:
    text = path.read_text()
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "setAttribute('style'",
        'setAttribute("style"',
        ".style.",
    ):
        assert sink not in text, f"{path.name} uses {sink}"


def node_or_skip() -> str:
    node = shutil.which("node")
    if node:
        return node
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("the dashboard's syntax check needs node in CI (apt-get install nodejs)")
    pytest.skip("node is not installed: the dashboard's scripts were not syntax-checked")


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: p.relative_to(STATIC).as_posix())
def test_scripts_have_no_syntax_errors(path: Path) -> None:
    node = node_or_skip()
    # The files are ES modules: given on stdin, node parses them as one without a package.json.
    checked = subprocess.run(
        [node, "--input-type=module", "--check"],
        input=path.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
