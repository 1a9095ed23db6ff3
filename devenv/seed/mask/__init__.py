"""Masking production-like data: keyed rules per column, the sources it is read from, drafted specs."""
