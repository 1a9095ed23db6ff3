"""Parity: the delta model, its catalogue, acceptance rules, renderers, diff and runtime verification."""
