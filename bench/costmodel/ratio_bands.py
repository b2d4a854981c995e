"""Pairs of kernels of one group by how far apart their measured latencies
are, and how often a second ordering (a model's, another measurement's)
agrees: shared by pairs_by_ratio.py and repeatability.py."""
import collections

BANDS = [(1.0, 1.05), (1.05, 1.2), (1.2, 1.5), (1.5, 2.0), (2.0, float("inf"))]


def count_pairs(rows, pairs, agree):
    """Adds the pairs of one group's (measured, other) rows with different
    measured latencies to the per-band Counters `pairs` and `agree` (those
    the other value orders alike); returns (pairs, agreeing) of the group."""
    total = alike = 0
    for i, (measured_a, other_a) in enumerate(rows):
        for measured_b, other_b in rows[i + 1:]:
            if measured_a == measured_b:
                continue
            ratio = max(measured_a, measured_b) / min(measured_a, measured_b)
            band = next(b for b in BANDS if b[0] <= ratio < b[1])
            same = (measured_a < measured_b) == (other_a < other_b)
            pairs[band] += 1
            agree[band] += same
            total += 1
            alike += same
    return total, alike


def print_bands(pairs, agree, agree_title):
    """The per-band table: pairs, their share, the fraction ordered alike."""
    total = sum(pairs.values())
    print(f"| measured ratio | pairs | share | {agree_title} |")
    print("| --- | ---: | ---: | ---: |")
    for low, high in BANDS:
        if pairs[(low, high)]:
            label = (f"{low:g}-{high:g}x" if high != float("inf")
                     else f">= {low:g}x")
            print(f"| {label} | {pairs[(low, high)]} | "
                  f"{100 * pairs[(low, high)] / total:.1f}% | "
                  f"{100 * agree[(low, high)] / pairs[(low, high)]:.1f}% |")


def new_counters():
    return collections.Counter(), collections.Counter()
