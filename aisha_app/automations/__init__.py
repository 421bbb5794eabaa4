"""Automations: rules that follow up on their own (see engine)."""
