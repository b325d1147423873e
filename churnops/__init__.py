"""churnops: train, serve, monitor and retrain a customer-churn model on AWS."""

__version__ = "0.1.0"
