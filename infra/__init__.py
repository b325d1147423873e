"""CDK app and constructs that deploy churnops as one stack."""
