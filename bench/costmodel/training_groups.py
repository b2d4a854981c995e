#!/usr/bin/env python3
"""Writes the rows of a dataset's training groups only: those the default
held-out rule (`fnv1a("tessera-v1/" + group) % 100 < 20`, what `tessera-cost
train` holds out) keeps for training. Training on the result with
`--holdout-salt val` and evaluating on it gives a validation split that
never touches the held-out groups, for choosing hyper-parameters. With
`--held-out`, the rows of the held-out groups instead (to compare label
sets on them alone). Usage:

    /usr/bin/python3 bench/costmodel/training_groups.py [--held-out] data.csv out.csv
"""
import sys


def fnv1a(text):
    value = 1469598103934665603
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) % (1 << 64)
    return value


def main():
    args = sys.argv[1:]
    held_out = args[:1] == ["--held-out"]
    if held_out:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    group_column = None
    with open(args[0]) as f, open(args[1], "w") as out:
        for line in f:
            if line.startswith("#"):
                out.write(line)
                continue
            cells = line.split(",")
            if group_column is None:
                group_column = cells.index("group")
            elif (fnv1a("tessera-v1/" + cells[group_column]) % 100 < 20) != held_out:
                continue
            out.write(line)


if __name__ == "__main__":
    main()
