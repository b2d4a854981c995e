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

BANDS = [(1.0, 1.05), (1.05, 1.2), (1.2, 1.5), (1.5, 2.0), (2.0, float("inf"))]


def main():
    groups = collections.defaultdict(list)
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            groups[row["group"]].append(
                (float(row["measured_us"]), float(row["learned_us"])))
    pairs = collections.Counter()
    right = collections.Counter()
    for rows in groups.values():
        for i, (measured_a, predicted_a) in enumerate(rows):
            for measured_b, predicted_b in rows[i + 1:]:
                if measured_a == measured_b:
                    continue
                ratio = max(measured_a, measured_b) / min(measured_a, measured_b)
                band = next(b for b in BANDS if b[0] <= ratio < b[1])
                pairs[band] += 1
                right[band] += (measured_a < measured_b) == (predicted_a < predicted_b)
    total = sum(pairs.values())
    print("| measured ratio | pairs | share | ordered right |")
    print("| --- | ---: | ---: | ---: |")
    for low, high in BANDS:
        if pairs[(low, high)]:
            label = f"{low:g}-{high:g}x" if high != float("inf") else f">= {low:g}x"
            print(f"| {label} | {pairs[(low, high)]} | "
                  f"{100 * pairs[(low, high)] / total:.1f}% | "
                  f"{100 * right[(low, high)] / pairs[(low, high)]:.1f}% |")


if __name__ == "__main__":
    main()
