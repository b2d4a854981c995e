#!/usr/bin/env python3
"""What a change of code generation did to the measured kernels.

Reads two collections of the same variants (datasets, their `latency_us`
labels; or `--samples` files, summarised by their fastest sample) made
before and after a change of what kernel configurations compile to, and
prints per family: the geometric mean and the 10th and 90th percentiles of
after / before per kernel, and the geometric mean over groups of the
fastest configuration's after / before (what a search over the measured
configurations would get). Usage:

    /usr/bin/python3 bench/costmodel/compare_collections.py before.csv after.csv
"""
import collections
import math
import sys

from repeatability import read


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    before, after = (read(path, "min") for path in sys.argv[1:])
    ratios = collections.defaultdict(list)
    best = collections.defaultdict(lambda: [math.inf, math.inf])
    for key, (group, latency) in after.items():
        if key not in before:
            continue
        family = group.rsplit("_", 1)[0]
        ratios[family].append(math.log(latency / before[key][1]))
        fastest = best[(family, group)]
        fastest[0] = min(fastest[0], before[key][1])
        fastest[1] = min(fastest[1], latency)
    if not ratios:
        sys.exit("the collections share no measured kernel")

    def geomean(logs):
        return math.exp(sum(logs) / len(logs))

    print("| family | kernels | after / before (geomean) | p10 | p90 "
          "| groups | fastest after / before (geomean) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    every, every_best = [], []
    for family in sorted(ratios):
        logs = sorted(ratios[family])
        best_logs = [math.log(b[1] / b[0])
                     for (f, _), b in best.items() if f == family]
        every += logs
        every_best += best_logs
        quantile = lambda q: math.exp(logs[int(q * (len(logs) - 1))])
        print(f"| {family} | {len(logs)} | {geomean(logs):.3f} "
              f"| {quantile(0.1):.2f} | {quantile(0.9):.2f} "
              f"| {len(best_logs)} | {geomean(best_logs):.3f} |")
    print(f"| all | {len(every)} | {geomean(every):.3f} | | "
          f"| {len(every_best)} | {geomean(every_best):.3f} |")


if __name__ == "__main__":
    main()
