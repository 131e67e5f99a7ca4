"""Supervision models (大数据法律监督模型): declared units that screen agency feeds and case
cards for leads (监督线索). ``registry`` declares them, ``models/`` holds them (one module
per family), ``run`` executes them set-based over a database, ``cards`` over case cards
without one, and ``leads`` keeps what they find."""
