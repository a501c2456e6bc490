"""with-items: turn evaluated lists into per-item variables, and pace their dispatch."""


def expand(clauses):
    """``[("x", [1, 2]), ("y", ["a", "b"])]`` → ``[{"x": 1, "y": "a"}, {"x": 2, "y": "b"}]``.

    Several lists are walked in step and must have the same length.
    """
    if not clauses:
        return []
    lengths = set()
    for var, values in clauses:
        if not isinstance(values, (list, tuple)):
            raise ValueError(
                "with-items expects a list for %r, got %s" % (var, type(values).__name__)
            )
        lengths.add(len(values))
    if len(lengths) > 1:
        raise ValueError("with-items lists must have the same length, got %s"
                         % sorted(lengths))
    names = [var for var, _ in clauses]
    return [dict(zip(names, row)) for row in zip(*(values for _, values in clauses))]


def first_batch(count, concurrency):
    """How many items start at once: all of them, or ``concurrency`` at most."""
    if not concurrency:
        return count
    return min(count, int(concurrency))
