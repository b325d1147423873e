"""Training: candidate families, metrics, the run itself and its outputs."""

# Names of the model families `churnops.training.candidates` builds. Kept here,
# free of scikit-learn imports, so light Lambdas can validate settings.
FAMILY_NAMES = ("logistic_regression", "random_forest", "gradient_boosting")
