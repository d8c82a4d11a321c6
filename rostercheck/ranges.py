"""The range of every number a user may give, in the config or on the command line.

A number outside its range is refused with the key or option named, instead of being computed with:
``limit = nan`` silently disabled a rule, ``window-hours = 1e12`` overflowed, a 23-digit seed
reached the solver. The bounds are far beyond any honest roster and well inside what the code
computes with. No imports: the CLI reads these for its option types before any heavy import.
"""

MAX_ROWS = 1_048_576  # header-row, date-row: the sheet limit of Excel and LibreOffice
MAX_RULE_NUMBER = 100_000  # any number option of a rule (hours, days, counts) unless the rule says less
MAX_SHIFT_HOURS = 168  # a legend's `hours`: a week; anything longer is a typo, not a shift
MAX_TIME_LIMIT = 86_400  # repair seconds: a day
MAX_WORKERS = 1024  # solver threads (the solver takes a 32-bit count)
SEED_RANGE = (-(2**31), 2**31 - 1)  # the solver's random seed is 32 bits
MAX_CHANGES = 10**9  # repair max-changes
