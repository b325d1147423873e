"""Daily EventBridge rule that runs the monitor."""

from __future__ import annotations


def test_rule_runs_monitor_daily(synthesised):
    monitor_id = synthesised.logical_id("AWS::Lambda::Function", FunctionName="churnops-monitor")
    rules = synthesised.of_type("AWS::Events::Rule")
    assert len(rules) == 1
    rule = next(iter(rules.values()))["Properties"]
    assert rule["ScheduleExpression"] == "rate(1 day)"
    assert rule["State"] == "ENABLED"
    assert [target["Arn"] for target in rule["Targets"]] == [
        {"Fn::GetAtt": [monitor_id, "Arn"]}
    ]


def test_rule_may_invoke_monitor(synthesised):
    monitor_id = synthesised.logical_id("AWS::Lambda::Function", FunctionName="churnops-monitor")
    rule_id = next(iter(synthesised.of_type("AWS::Events::Rule")))
    permissions = [
        permission["Properties"]
        for permission in synthesised.of_type("AWS::Lambda::Permission").values()
        if permission["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert len(permissions) == 1
    assert permissions[0]["FunctionName"] == {"Fn::GetAtt": [monitor_id, "Arn"]}
    assert permissions[0]["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}
