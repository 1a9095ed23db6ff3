"""Helpers for test suites that run against a devenv stack."""
