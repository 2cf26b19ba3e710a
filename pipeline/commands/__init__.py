"""Stage 7, commands: thin Click commands, one module per command group (main.py
holds the group and the entry point)."""
