"""rostercheck: check residency rosters against duty-hour and protected-time rules, and repair them."""

__version__ = "0.1.0"
