#!/usr/bin/env python3
"""How much would knowing what LLVM made of a schedule help the cost model?

Joins a dataset with the code-generation facts of the same kernels
(`tessera-cost collect --codegen-facts FILE`: static instruction counts of
each kernel after LLVM's optimisation) and writes a dataset whose first IR-token
features are replaced by the facts (log(1 + count)); training and evaluating
on it (`tessera-cost train`, `eval`) shows what a model that knew the facts
would reach. The schema keeps its names (the trees do not care); the IR
tokens it displaces are worth <= 0.01 Kendall tau (docs/cost-model.md).

    codegen_facts.py oracle DATA.csv FACTS.csv OUT.csv
        the measured facts, for every row;
    codegen_facts.py predicted DATA.csv FACTS.csv OUT.csv TOOL
        the measured facts for training rows and, for the held-out groups,
        facts predicted from the features by one XGBoost regressor per fact
        (trained with TOOL, `tessera-cost`, on the training groups): what
        learning the facts from the IR buys.
"""
import csv
import math
import os
import subprocess
import sys
import tempfile


def read_facts(path):
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        return header[1:], {row[0]: [float(v) for v in row[1:]]
                            for row in reader}


def rewrite(data, out, values):
    """Copies dataset `data` to `out`, the first IR-token columns of each row
    replaced by values(key, row) (None: the row is left out)."""
    with open(data) as src, open(out, "w") as dst:
        header = None
        for line in src:
            if line.startswith("#"):
                dst.write(line)
                continue
            cells = line.rstrip("\n").split(",")
            if header is None:
                header = cells
                slots = [i for i, c in enumerate(header)
                         if c.startswith("f.ir_token_")]
                dst.write(line)
                continue
            new = values(cells[0], cells, header)
            if new is None:
                continue
            for slot, value in zip(slots, new):
                cells[slot] = f"{value:.6g}"
            dst.write(",".join(cells) + "\n")


def oracle(data, facts_path, out):
    names, facts = read_facts(facts_path)
    missing = [0]

    def values(key, cells, header):
        if key not in facts:
            missing[0] += 1
            return [0.0] * len(names)
        return [math.log1p(v) for v in facts[key]]

    rewrite(data, out, values)
    print(f"{len(names)} facts substituted; {missing[0]} rows without facts")


def predicted(data, facts_path, out, tool):
    names, facts = read_facts(facts_path)
    work = tempfile.mkdtemp()
    held_out = {}
    for j, name in enumerate(names):
        # A dataset whose latency is 1 + the fact, no facts among the inputs.
        fact_data = os.path.join(work, f"{name}.csv")

        def as_label(key, cells, header, j=j):
            if cells[header.index("status")] != "ok" or key not in facts:
                return None
            cells[header.index("latency_us")] = f"{1 + facts[key][j]:.6g}"
            return [0.0] * len(names)

        rewrite(data, fact_data, as_label)
        model = os.path.join(work, f"{name}.json")
        predictions = os.path.join(work, f"{name}.predictions.csv")
        subprocess.run([tool, "train", "-o", model, "--name", name,
                        "--max-depth", "7", "--rounds", "300", "--eta", "0.1",
                        "--absolute", "--no-rank", "--quiet", fact_data],
                       check=True)
        subprocess.run([tool, "eval", "--model", model, fact_data,
                        "--predictions", predictions], check=True,
                       stdout=subprocess.DEVNULL)
        with open(predictions) as f:
            for row in csv.DictReader(f):
                held_out.setdefault(row["key"], [0.0] * len(names))[j] = \
                    math.log(max(float(row["learned_us"]), 1.0))

    def values(key, cells, header):
        if key in held_out:
            return held_out[key]
        return [math.log1p(v) for v in facts.get(key, [0.0] * len(names))]

    rewrite(data, out, values)
    print(f"{len(names)} facts: predicted for {len(held_out)} held-out rows, "
          f"measured for the rest")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "oracle":
        oracle(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "predicted":
        predicted(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
