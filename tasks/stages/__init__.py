"""One function per stage of the ingest chain, in plain Python (no Prefect).

Each stage reads its inputs from the object store, writes its outputs under
their deterministic keys and returns schema objects; ``tasks.orchestration``
wraps them as Prefect tasks and ``flows.ingest_dossier`` wires them.
"""
