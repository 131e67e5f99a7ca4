"""Sentencing suggestions (量刑建议): statutory ranges, the guideline's steps, similar cases."""
