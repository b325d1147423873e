"""Training: candidate families, metrics, the run itself and its outputs."""
