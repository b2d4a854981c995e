#!/usr/bin/env python3
"""How well two measurements of the same kernels agree: the ceiling of any
cost model's ranking on this machine.

Reads two collections of the same variants (the same seed, collected one
after the other) and prints, as if the second collection were a cost model
predicting the first, the per-group metrics of `tessera-cost eval` (mean
Kendall tau-b, pairwise accuracy, top-1 score) and the pairwise agreement by
band of measured latency ratio. The inputs are datasets (their `latency_us`
labels) or the raw samples of `tessera-cost collect --samples FILE`, which
are summarised by `--statistic` (`min`, what collection labels with, or
`median`): the same samples compare the statistics fairly. Usage:

    /usr/bin/python3 bench/costmodel/repeatability.py [--statistic S] first.csv second.csv
"""
import argparse
import collections
import csv
import math
import sys

from ratio_bands import count_pairs, new_counters, print_bands


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])


STATISTICS = {"min": min, "median": median}


def read(path, statistic):
    """key -> (group, latency) of the measured kernels of a dataset or a
    samples file."""
    with open(path) as f:
        reader = csv.reader(line for line in f if not line.startswith("#"))
        header = next(reader)
        if header == ["key", "samples_us"]:
            summarize = STATISTICS[statistic]
            return {key: (key.split("|")[0],
                          summarize([float(v) for v in samples.split()]))
                    for key, samples in reader}
        key, group, status, latency = (header.index(c) for c in
                                       ("key", "group", "status", "latency_us"))
        return {row[key]: (row[group], float(row[latency]))
                for row in reader if row[status] == "ok"}


def sign(x):
    return (x > 0) - (x < 0)


def kendall_tau(a, b):
    concordant = discordant = ties_a = ties_b = 0
    for i in range(len(a)):
        for j in range(i + 1, len(a)):
            sa, sb = sign(a[i] - a[j]), sign(b[i] - b[j])
            if sa == 0 and sb == 0:
                continue
            if sa == 0:
                ties_a += 1
            elif sb == 0:
                ties_b += 1
            elif sa == sb:
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_a) *
                            (concordant + discordant + ties_b))
    return (concordant - discordant) / denominator if denominator else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statistic", choices=sorted(STATISTICS),
                        default="min",
                        help="summary of the samples of a samples file")
    parser.add_argument("first")
    parser.add_argument("second")
    args = parser.parse_args()
    first = read(args.first, args.statistic)
    second = read(args.second, args.statistic)
    groups = collections.defaultdict(list)
    for key, (group, latency) in first.items():
        if key in second:
            groups[group].append((latency, second[key][1]))
    taus, pairwise, top1 = [], [], []
    pairs, agree = new_counters()
    for rows in groups.values():
        if len(rows) < 5:
            continue
        taus.append(kendall_tau([a for a, _ in rows], [b for _, b in rows]))
        best = min(a for a, _ in rows)
        top1.append(best / min(rows, key=lambda r: r[1])[0])
        total, right = count_pairs(rows, pairs, agree)
        pairwise.append(right / total if total else 1.0)
    n = len(taus)
    if n == 0:
        sys.exit("repeatability: no kernel group with at least 5 kernels in "
                 "both files")
    logs = [abs(math.log(first[k][1] / second[k][1]))
            for k in first if k in second]
    logs.sort()
    print(f"{sum(len(r) for r in groups.values())} kernels in both, {n} groups")
    print("| metric | second measurement as the model |")
    print("| --- | ---: |")
    print(f"| Kendall tau (mean over groups) | {sum(taus) / n:.3f} |")
    print(f"| pairwise accuracy (mean over groups) | "
          f"{100 * sum(pairwise) / n:.1f}% |")
    print(f"| top-1 score (mean) | {sum(top1) / n:.3f} |")
    print(f"| groups with top-1 >= 0.9 | "
          f"{100 * sum(t >= 0.9 for t in top1) / n:.1f}% |")
    print(f"| median / p90 relative difference of a kernel | "
          f"{100 * math.expm1(logs[len(logs) // 2]):.1f}% / "
          f"{100 * math.expm1(logs[int(0.9 * (len(logs) - 1))]):.1f}% |")
    print()
    print_bands(pairs, agree, "ordered alike")


if __name__ == "__main__":
    main()
