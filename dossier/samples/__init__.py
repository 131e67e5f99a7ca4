"""Synthetic-but-real test material: judgment text rendered as scanned pages."""
