"""Load benchmark for Mistral-compatible workflow services.

The package backs the ``tools/bench`` script. It only speaks the public
Mistral REST API v2, so the same scenarios can be pointed at any
implementation of that API and the numbers compared side by side.

Modules:

* ``scenarios`` - workflow definitions (DSL v2) and the size of each scenario
* ``client``    - a small pooled HTTP client for the API calls used here
* ``runner``    - starts executions, polls them and measures timings
* ``stats``     - percentiles and per-scenario summaries
* ``report``    - text tables, comparison tables and JSON output
* ``rss``       - optional peak memory sampling of server processes
* ``upstream``  - installs and runs a reference upstream server to compare with
* ``cli``       - command line parsing and the top-level flow
"""

TERMINAL_STATES = frozenset({"SUCCESS", "ERROR", "CANCELLED"})
