"""Serving: the Production model kept fresh in memory, and the prediction log."""
