#!/usr/bin/env python3
"""Pairwise accuracy of a cost model by how far apart the two latencies are.

Reads the per-row predictions of `tessera-cost eval --predictions FILE`
and, over every pair of rows of one kernel group with different measured
latencies, prints the share of pairs and the fraction the learned model
orders right, per band of measured latency ratio. Usage:

    /usr/bin/python3 bench/costmodel/pairs_by_ratio.py predictions.csv
"""
import collections
import csv
import sys

from ratio_bands import count_pairs, new_counters, print_bands


def main():
    groups = collections.defaultdict(list)
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            groups[row["group"]].append(
                (float(row["measured_us"]), float(row["learned_us"])))
    pairs, right = new_counters()
    for rows in groups.values():
        count_pairs(rows, pairs, right)
    print_bands(pairs, right, "ordered right")


if __name__ == "__main__":
    main()
