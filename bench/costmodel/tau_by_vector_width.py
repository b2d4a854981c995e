#!/usr/bin/env python3
"""Within-group ranking of a cost model by the kind of vector body.

Reads the per-row predictions of `tessera-cost eval --predictions FILE` and
prints the mean Kendall tau-b over kernel groups (groups of at least two
rows of the kind) of the learned regression, over all rows, over the rows of
`vector_width = 1` (a scalar body) and over the rows with a vector body,
each also split by whether the vector loop is unrolled. Usage:

    /usr/bin/python3 bench/costmodel/tau_by_vector_width.py predictions.csv
"""
import collections
import csv
import sys

from repeatability import kendall_tau

def scalar(key):
    return ";v=1;" in key


def unrolled(key):
    return ";u=1;" not in key


KINDS = {
    "all rows": lambda key: True,
    "vector_width = 1": scalar,
    "vector body": lambda key: not scalar(key),
    "vector_width = 1, unroll = 1": lambda key: scalar(key) and not unrolled(key),
    "vector_width = 1, unrolled": lambda key: scalar(key) and unrolled(key),
    "vector body, unroll = 1": lambda key: not scalar(key) and not unrolled(key),
    "vector body, unrolled": lambda key: not scalar(key) and unrolled(key),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    groups = collections.defaultdict(list)
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            groups[row["group"]].append(
                (row["key"], float(row["measured_us"]),
                 float(row["learned_us"])))
    print("| rows | groups | Kendall tau (mean over groups) |")
    print("| --- | ---: | ---: |")
    for name, keep in KINDS.items():
        taus = []
        for rows in groups.values():
            kept = [r for r in rows if keep(r[0])]
            if len(kept) >= 2:
                taus.append(kendall_tau([r[1] for r in kept],
                                        [r[2] for r in kept]))
        mean = sum(taus) / len(taus) if taus else float("nan")
        print(f"| {name} | {len(taus)} | {mean:.3f} |")


if __name__ == "__main__":
    main()
