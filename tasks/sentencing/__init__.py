"""Sentencing suggestions (量刑建议): statutory ranges, the 两高 guideline's steps, similar cases."""
