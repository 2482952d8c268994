"""Fixtures live in tests/fixtures/; this file only lists them."""
pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.users",
    "tests.fixtures.courses",
    "tests.fixtures.queries",
    "tests.fixtures.browser",
    "tests.fixtures.mail",
]
