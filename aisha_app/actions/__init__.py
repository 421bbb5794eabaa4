"""Every write goes through a named function here: validate, write, audit, commit."""
