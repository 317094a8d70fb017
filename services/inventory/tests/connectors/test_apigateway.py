"""API Gateway REST APIs through the connector: a stage with logging and tracing vs without."""

from __future__ import annotations

import json
from typing import Any

from pacbot.inventory.connectors.apigateway import rest_api_policy


def _deployed_api(apigw: Any, name: str, **kwargs: Any) -> str:
    api_id: str = apigw.create_rest_api(name=name, **kwargs)["id"]
    root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    return api_id


def test_stage_with_logging_and_stage_without(aws: Any, discover: Any) -> None:
    apigw = aws("apigateway")
    public = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}
        ],
    }
    bad_id = _deployed_api(apigw, "open-api", policy=json.dumps(public))
    apigw.create_deployment(restApiId=bad_id, stageName="dev")
    good_id = _deployed_api(
        apigw,
        "closed-api",
        endpointConfiguration={"types": ["PRIVATE"]},
        minimumCompressionSize=1024,
        tags={"Owner": "api-team@example.com"},
    )
    deployment = apigw.create_deployment(restApiId=good_id)["id"]
    apigw.create_stage(
        restApiId=good_id, stageName="prod", deploymentId=deployment, tracingEnabled=True
    )
    apigw.update_stage(
        restApiId=good_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
            {
                "op": "replace",
                "path": "/accessLogSettings/destinationArn",
                "value": "arn:aws:logs:us-east-1:123456789012:log-group:api",
            },
            {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        ],
    )

    found = discover("aws.apigateway.rest_api")

    bad = found[f"arn:aws:apigateway:us-east-1::/restapis/{bad_id}"].config
    good = found[f"arn:aws:apigateway:us-east-1::/restapis/{good_id}"]
    assert bad["Policy"]["Statement"][0]["Principal"] == "*"
    assert bad["endpointConfiguration"]["types"] == ["EDGE"]
    [dev] = bad["Stages"]
    assert (dev["stageName"], dev["ExecutionLogging"], dev["AccessLogging"]) == (
        "dev",
        False,
        False,
    )
    assert dev["tracingEnabled"] is False
    assert good.config["Policy"] is None
    assert good.config["endpointConfiguration"]["types"] == ["PRIVATE"]
    assert good.config["minimumCompressionSize"] == 1024
    [prod] = good.config["Stages"]
    assert (prod["ExecutionLogging"], prod["AccessLogging"], prod["tracingEnabled"]) == (
        True,
        True,
        True,
    )
    assert prod["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
    assert good.owner == "api-team@example.com"
    assert good.name == "closed-api"


def test_escaped_rest_api_policy_is_decoded() -> None:
    escaped = '{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[]}'
    assert rest_api_policy(escaped) == {"Version": "2012-10-17", "Statement": []}
    assert rest_api_policy(None) is None
