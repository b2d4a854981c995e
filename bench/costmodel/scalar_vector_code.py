#!/usr/bin/env python3
"""How often LLVM still vectorises a `vector_width = 1` configuration.

Joins a dataset with the code-generation facts of the same kernels
(`tessera-cost collect --codegen-facts FACTS.csv`: instruction counts after
LLVM's optimisation) and prints, for configurations of `vector_width = 1`
(scalar bodies: the loop vectoriser is off on scheduled loops) and for those
with a vector body, how many contain vector floating-point operations (what
LLVM's SLP vectoriser packed), and how many kernel groups' fastest
configuration is a scalar-body one that LLVM vectorised. Usage:

    /usr/bin/python3 bench/costmodel/scalar_vector_code.py DATA.csv FACTS.csv
"""
import collections
import csv
import sys


def read_latencies(path):
    latencies = {}
    with open(path) as f:
        rows = csv.reader(line for line in f if not line.startswith("#"))
        header = next(rows)
        key, status, latency = (header.index(c)
                                for c in ("key", "status", "latency_us"))
        for row in rows:
            if row[status] == "ok":
                latencies[row[key]] = float(row[latency])
    return latencies


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    latencies = read_latencies(sys.argv[1])
    configs = collections.Counter()
    vectorised = collections.Counter()
    groups = collections.defaultdict(list)
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f):
            key = row["key"]
            if key not in latencies:
                continue
            scalar = ";v=1;" in key
            vector_code = int(row["vector_fp_ops"]) > 0
            kind = "vector_width = 1" if scalar else "vector body"
            configs[kind] += 1
            vectorised[kind] += vector_code
            groups[key.split("|")[0]].append(
                (latencies[key], scalar, vector_code))
    print("| configurations | kernels | with vector fp operations |")
    print("| --- | ---: | ---: |")
    for kind in ("vector_width = 1", "vector body"):
        share = vectorised[kind] / configs[kind] if configs[kind] else 0
        print(f"| {kind} | {configs[kind]} | {vectorised[kind]} "
              f"({100 * share:.1f}%) |")
    fastest = [min(members) for members in groups.values()]
    scalar_best = [b for b in fastest if b[1]]
    print(f"\n{len(fastest)} groups; the fastest configuration has "
          f"vector_width = 1 in {len(scalar_best)}, and vector fp operations "
          f"in {sum(b[2] for b in scalar_best)} of those")


if __name__ == "__main__":
    main()
