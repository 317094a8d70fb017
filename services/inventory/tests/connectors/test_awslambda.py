"""Lambda functions through the connector: a public function URL vs an IAM-authenticated one."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

ARN = "arn:aws:lambda:us-east-1:123456789012:function"


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _role(aws: Any) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = aws("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(trust))
    arn: str = role["Role"]["Arn"]
    return arn


def test_public_url_function_and_iam_url_function(aws: Any, discover: Any) -> None:
    lam = aws("lambda")
    role = _role(aws)
    common = {"Runtime": "python3.11", "Role": role, "Handler": "handler.handler"}
    lam.create_function(
        FunctionName="open-fn",
        Code={"ZipFile": _code()},
        Environment={"Variables": {"DB_PASSWORD": "hunter2-secret", "STAGE": "dev"}},
        **common,
    )
    lam.create_function_url_config(FunctionName="open-fn", AuthType="NONE")
    lam.add_permission(
        FunctionName="open-fn",
        StatementId="public-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    lam.create_function(
        FunctionName="closed-fn",
        Code={"ZipFile": _code()},
        TracingConfig={"Mode": "Active"},
        Tags={"Owner": "fn-team@example.com"},
        **common,
    )
    lam.create_function_url_config(FunctionName="closed-fn", AuthType="AWS_IAM")
    lam.create_function(FunctionName="plain-fn", Code={"ZipFile": _code()}, **common)

    found = discover("aws.lambda.function")

    bad = found[f"{ARN}:open-fn"].config
    good = found[f"{ARN}:closed-fn"]
    plain = found[f"{ARN}:plain-fn"].config
    assert bad["FunctionUrlConfig"]["AuthType"] == "NONE"
    assert bad["Policy"]["Statement"][0]["Principal"] == "*"
    assert bad["EnvironmentVariableNames"] == ["DB_PASSWORD", "STAGE"]
    assert "hunter2-secret" not in json.dumps(bad)
    assert "Environment" not in bad
    assert good.config["FunctionUrlConfig"]["AuthType"] == "AWS_IAM"
    assert good.config["Policy"] is None
    assert good.config["TracingConfig"] == {"Mode": "Active"}
    assert good.config["Runtime"] == "python3.11"
    assert good.config["Role"] == role
    assert good.owner == "fn-team@example.com"
    assert (plain["FunctionUrlConfig"], plain["Policy"], plain["Tags"]) == (None, None, {})
    assert plain["EnvironmentVariableNames"] == []
