"""Project files: atomic save, backup, migrations, recovery; the lock that gives each project one owner.

Kept empty on purpose: ``store.lock`` must be importable without pydantic (the desktop app imports it early).
"""
