"""REST API: API key on every method, throttled usage plan, validation, access logs."""

from __future__ import annotations

from aws_cdk.assertions import Match


def test_every_method_needs_api_key(synthesised):
    methods = synthesised.of_type("AWS::ApiGateway::Method")
    assert len(methods) == 3
    for logical_id, method in methods.items():
        assert method["Properties"]["ApiKeyRequired"] is True, logical_id


def test_routes_proxy_to_predict(synthesised):
    predict_id = synthesised.logical_id("AWS::Lambda::Function", FunctionName="churnops-predict")
    paths = {
        resource["Properties"]["PathPart"]: logical_id
        for logical_id, resource in synthesised.of_type("AWS::ApiGateway::Resource").items()
    }
    assert set(paths) == {"predict", "feedback", "model"}
    routes = set()
    for method in synthesised.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        integration = properties["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        assert predict_id in str(integration["Uri"])
        path = next(p for p, i in paths.items() if properties["ResourceId"] == {"Ref": i})
        routes.add((properties["HttpMethod"], path))
    assert routes == {("POST", "predict"), ("POST", "feedback"), ("GET", "model")}


def test_post_bodies_validated_as_objects(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::ApiGateway::RequestValidator",
        {"ValidateRequestBody": True, "ValidateRequestParameters": True},
    )
    synthesised.template.has_resource_properties(
        "AWS::ApiGateway::Model",
        {"ContentType": "application/json", "Schema": Match.object_like({"type": "object"})},
    )
    for method in synthesised.of_type("AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        assert "RequestValidatorId" in properties
        if properties["HttpMethod"] == "POST":
            assert "application/json" in properties["RequestModels"]


def test_usage_plan_throttles_the_key(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::ApiGateway::UsagePlan",
        {
            "Throttle": {"RateLimit": 50, "BurstLimit": 100},
            "ApiStages": [Match.object_like({"Stage": Match.any_value()})],
        },
    )
    synthesised.template.has_resource_properties(
        "AWS::ApiGateway::UsagePlanKey", {"KeyType": "API_KEY"}
    )
    synthesised.template.resource_count_is("AWS::ApiGateway::ApiKey", 1)


def test_stage_logs_and_throttles(synthesised):
    synthesised.template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "v1",
            "AccessLogSetting": {
                "DestinationArn": Match.any_value(),
                "Format": Match.string_like_regexp("requestId"),
            },
            "MethodSettings": [
                Match.object_like(
                    {
                        "DataTraceEnabled": False,
                        "LoggingLevel": "ERROR",
                        "ThrottlingRateLimit": 50,
                        "ThrottlingBurstLimit": 100,
                    }
                )
            ],
        },
    )


def test_api_is_rest_v1(synthesised):
    synthesised.template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    synthesised.template.resource_count_is("AWS::ApiGatewayV2::Api", 0)
