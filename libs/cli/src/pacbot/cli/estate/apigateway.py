"""API Gateway REST APIs: a private API with a logged, traced stage; a public one at defaults."""

from __future__ import annotations

from typing import Any

from pacbot.cli.estate._model import Account, Seeded, seeded

REST_API = "aws.apigateway.rest_api"


def _patch(path: str, value: str) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": value}


def _deployed(account: Account, name: str, endpoint: str) -> str:
    """A REST API with one mock GET method, deployed to a ``live`` stage; its id."""
    api: Any = account.client("apigateway")
    api_id = str(
        api.create_rest_api(
            name=account.name_of(name), endpointConfiguration={"types": [endpoint]}
        )["id"]
    )
    root = next(r["id"] for r in api.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    api.create_deployment(restApiId=api_id, stageName="live")
    return api_id


def seed(account: Account, log_group_arn: str) -> list[Seeded]:
    """Both APIs with what each must fail."""
    api = account.client("apigateway")
    private = _deployed(account, "internal-api", "PRIVATE")
    api.update_stage(
        restApiId=private,
        stageName="live",
        patchOperations=[
            _patch("/accessLogSettings/destinationArn", log_group_arn),
            _patch("/accessLogSettings/format", "$context.requestId"),
            _patch("/tracingEnabled", "true"),
            _patch("/*/*/logging/loglevel", "INFO"),
            _patch("/*/*/logging/dataTrace", "false"),
        ],
    )
    public = _deployed(account, "public-api", "REGIONAL")
    api.update_stage(
        restApiId=public,
        stageName="live",
        patchOperations=[
            _patch("/*/*/logging/dataTrace", "true"),
            _patch("/*/*/caching/enabled", "true"),
            _patch("/*/*/caching/dataEncrypted", "false"),
        ],
    )
    arn = f"arn:aws:apigateway:{account.region}::/restapis/"
    return [
        seeded(REST_API, arn + private),
        seeded(
            REST_API,
            arn + public,
            {
                "aws-apigateway-stage-access-logging",
                "aws-apigateway-stage-cache-encrypted",
                "aws-apigateway-stage-execution-logging",
                "aws-apigateway-stage-no-data-trace",
                "aws-apigateway-stage-waf",
                "aws-apigateway-stage-xray-tracing",
            },
        ),
    ]
