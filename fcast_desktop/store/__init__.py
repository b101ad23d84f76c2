"""Project files: atomic save, backup, migrations, recovery."""
