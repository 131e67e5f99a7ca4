"""Intake: take an upload in (retrieve), check it, and cut it into pages (paginate)."""
