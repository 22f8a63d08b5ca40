"""Shared kernel: settings, database, clock, errors and the message catalogue."""
