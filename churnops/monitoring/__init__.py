"""Scheduled monitoring: drift and performance of the Production model's window."""
