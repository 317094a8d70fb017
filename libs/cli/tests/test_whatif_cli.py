"""`pacbot policy whatif`: posts a draft to the gateway or assessor and prints the report."""

from __future__ import annotations

from pathlib import Path

from services.assessor.tests.registry_fixtures import GRANTS_POLICY


def _draft(max_grants: int) -> str:
    return GRANTS_POLICY.replace("version: 1", "version: 2").replace(
        "default: 0", f"default: {max_grants}"
    )


def test_cli_posts_the_draft_and_prints_a_summary(tmp_path: Path) -> None:
    import io
    import json
    import secrets

    import httpx

    from pacbot.cli.whatif import run
    from pacbot.common.auth import InternalTokens

    draft = tmp_path / "draft.yaml"
    draft.write_text(_draft(1))
    seen: list[httpx.Request] = []
    report = {
        "policy_id": "test-bucket-grants",
        "resource": "aws.s3.bucket",
        "evaluated": 2,
        "would_fail": [{"asset_id": "arn:aws:s3:::b", "name": "b", "reason": "too many grants"}],
        "would_pass": 1,
        "not_applicable": 0,
        "errors": [],
        "would_open": [],
        "would_close": ["arn:aws:s3:::a"],
        "current": {"exists": True, "enabled": True, "version": 1, "failing": 2},
    }

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if b"lesser" in request.content:
            error = {
                "file": str(draft),
                "line": 27,
                "path": "condition.and[0].op",
                "message": "bad",
            }
            return httpx.Response(422, json={"error": "PolicyInvalid", "errors": [error]})
        return httpx.Response(200, json=report)

    out, err = io.StringIO(), io.StringIO()
    transport = httpx.MockTransport(handle)
    code = run(
        draft,
        gateway_url="http://gw:8100/",
        api_key="pbk_k1_secret",
        transport=transport,
        out=out,
        err=err,
    )
    assert code == 0
    [request] = seen
    assert str(request.url).startswith("http://gw:8100/api/v1/policies/whatif?file=")
    assert request.headers["authorization"] == "Bearer pbk_k1_secret"
    assert request.content.decode() == _draft(1)
    text = out.getvalue()
    assert "2 evaluated, 1 would fail, 1 would pass" in text
    assert "would close (1):\n  arn:aws:s3:::a" in text
    assert "arn:aws:s3:::b (b): too many grants" in text

    out = io.StringIO()
    secret = secrets.token_urlsafe(48)
    code = run(
        draft,
        assessor_url="http://a:8102",
        output="json",
        internal_secret=secret,
        transport=transport,
        out=out,
    )
    assert code == 0
    assert str(seen[-1].url).startswith("http://a:8102/policies/whatif?")
    token = seen[-1].headers["authorization"].removeprefix("Bearer ")
    assert InternalTokens(secret).verify(token, "assessor").subject == "service:cli"
    assert json.loads(out.getvalue()) == report

    err = io.StringIO()
    assert run(draft, assessor_url="http://a:8102", transport=transport, err=err) == 2
    assert "PACBOT_INTERNAL_SECRET" in err.getvalue()

    draft.write_text(_draft(1).replace("op: le", "op: lesser"))
    err = io.StringIO()
    assert run(draft, transport=transport, out=io.StringIO(), err=err) == 1
    assert err.getvalue().strip() == f"{draft}:27: condition.and[0].op: bad"


def test_cli_command_is_registered(tmp_path: Path) -> None:
    from pacbot.cli.main import main

    draft = tmp_path / "draft.yaml"
    draft.write_text(_draft(1))
    # nothing listens on the discard port: the command runs and reports it cannot connect
    assert main(["policy", "whatif", str(draft), "--assessor-url", "http://127.0.0.1:9"]) == 2
    assert main(["policy", "whatif", str(tmp_path / "missing.yaml")]) == 2
