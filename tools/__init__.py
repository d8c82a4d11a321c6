"""Tools for tests and benchmarks (synthetic rosters); not part of the installed package."""
