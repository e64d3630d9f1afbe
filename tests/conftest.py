"""Shared pytest configuration. The real-servers fixtures (``stack``, ``test_namespace``) live in
:mod:`tests.stack`."""

pytest_plugins = ["tests.stack"]
