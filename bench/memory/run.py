#!/usr/bin/env python3
"""Benchmark of Tessera's scratchpad planners on real networks (COSMA setup).

For every model (exported by bench/models/export.py), both weight settings
and every budget (M_R, M_H, M_P and fixed sizes), runs the baselines B0-B4
(the COSMA paper's), the fixed-order ILP, the joint ILP and
divide-and-conquer through `tessera-plan-memory`, which verifies every
plan. Prints one table per weight setting (NC traffic in KiB; the best
baseline is the peer) and a summary against the issue's targets; writes
all rows as JSON lines. Usage:

    /usr/bin/python3 bench/memory/run.py [--build build] [--out DIR]
        [--models resnet18,...] [--budgets mr,mh,mp,256k,512k,1m,2m]
        [--solvers ...] [--time-limit 10] [--element-bytes 0|1]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIRST_TIER = ["resnet18", "resnet50", "mobilenet_v2", "squeezenet1_1",
              "googlenet", "efficientnet_b0", "mnasnet1_0"]
IRREGULAR_TIER = ["densenet121", "resnext50_32x4d"]
BASELINES = ["b0", "b1", "b2", "b3", "b4"]
OURS = ["fixed-order", "ilp", "dc"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--out", help="output folder (default "
                        "BUILD/bench-memory-e<element bytes>)")
    parser.add_argument("--models", default=",".join(FIRST_TIER + IRREGULAR_TIER))
    parser.add_argument("--budgets", default="mr,mh,mp,256k,512k,1m,2m")
    parser.add_argument("--solvers", default=",".join(BASELINES + OURS))
    parser.add_argument("--weights", default="both", choices=["in", "out", "both"])
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--element-bytes", type=int, default=0)
    parser.add_argument("--from-rows", metavar="ROWS.jsonl",
                        help="print the tables of an earlier run's rows "
                        "instead of running")
    return parser.parse_args()


def kib(value):
    return "-" if value is None else f"{value / 1024:.0f}"


def run_model(args, model_dir, name, out_file):
    """Runs tessera-plan-memory on one model; returns its rows."""
    command = [os.path.join(args.build, "bin", "tessera-plan-memory"),
               os.path.join(model_dir, name, "model.onnx"),
               "--solvers", args.solvers, "--budgets", args.budgets,
               "--weights", args.weights, "--time-limit", str(args.time_limit),
               "--element-bytes", str(args.element_bytes)]
    print(f"# {name}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    rows = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            row = json.loads(line)
            row["model"] = name
            rows.append(row)
            out_file.write(json.dumps(row) + "\n")
            out_file.flush()
    if proc.returncode != 0:
        sys.exit(f"tessera-plan-memory failed on {name}")
    return rows


def table(rows, weights, planners):
    """A markdown table of NC KiB per (model, budget) and planner."""
    cells = {}
    order = []
    for row in rows:
        if row["weights"] != weights:
            continue
        key = (row["model"], row["budget"])
        if key not in cells:
            cells[key] = {"spm": row["spm_bytes"]}
            order.append(key)
        cells[key][row["solver"]] = row
    header = (["model", "budget", "SPM KiB"] + planners +
              ["best base", "ours", "reduction", "ILP s", "ILP gap"])
    lines = ["| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    below = []
    for key in order:
        cell = cells[key]
        if all("error" in row and "bytes of scratchpad" in row["error"]
               for name, row in cell.items() if name != "spm"):
            below.append(f"{key[0]} {key[1]}")
            continue
        def nc(planner):
            row = cell.get(planner)
            return None if row is None or "error" in row else row["nc_bytes"]
        base = [nc(p) for p in BASELINES if nc(p) is not None]
        ours = [nc(p) for p in OURS if nc(p) is not None]
        best_base = min(base) if base else None
        best_ours = min(ours) if ours else None
        if best_base and best_ours is not None:
            reduction = f"{100 * (1 - best_ours / best_base):.1f}%"
        else:
            reduction = "-" if best_base is None else "n/a (0)"
        ilp = cell.get("ilp", {})
        gap = ilp.get("gap")
        lines.append("| " + " | ".join(
            [key[0], key[1], kib(cell["spm"])] +
            [kib(nc(p)) if p in cell and "error" not in cell[p]
             else ("<M_R" if p in cell and "bytes of scratchpad" in
                   cell[p]["error"] else "err")
             for p in planners] +
            [kib(best_base), kib(best_ours), reduction,
             f"{ilp['solve_seconds']:.1f}" if "solve_seconds" in ilp else "-",
             f"{100 * gap:.1f}%" if gap is not None else "-"]) + " |")
    if below:
        lines.append("")
        lines.append("Below the model's M_R (no plan exists): " + ", ".join(below))
    return "\n".join(lines)


def summary(rows):
    """The issue's targets, measured."""
    out = []
    for weights in ("in", "out"):
        at_mr = {}
        for row in rows:
            if row["weights"] != weights or row["budget"] != "mr" or "error" in row:
                continue
            at_mr.setdefault(row["model"], {})[row["solver"]] = row["nc_bytes"]
        # Models whose best baseline moves nothing have no reduction.
        for label, planners in [("best of ours", OURS)] + [(p, [p]) for p in OURS]:
            reductions = []
            for model, ncs in at_mr.items():
                base = [ncs[p] for p in BASELINES if p in ncs]
                ours = [ncs[p] for p in planners if p in ncs]
                if base and ours and min(base) > 0:
                    reductions.append(1 - min(ours) / min(base))
            if reductions:
                out.append(f"weights {weights}: average NC reduction vs best "
                           f"baseline at M_R, {label}: "
                           f"{100 * statistics.mean(reductions):.1f}% over "
                           f"{len(reductions)} models (best baseline NC > 0)")
        zero_mp = [row["nc_bytes"] == 0 for row in rows
                   if row["weights"] == weights and row["budget"] == "mp"
                   and row["solver"] == "ilp" and "error" not in row]
        if zero_mp:
            out.append(f"weights {weights}: ILP NC = 0 at M_P on "
                       f"{sum(zero_mp)}/{len(zero_mp)} models")
    times = [row["solve_seconds"] for row in rows
             if row["solver"] == "ilp" and row["model"] in FIRST_TIER
             and "solve_seconds" in row]
    if times:
        out.append(f"median joint-ILP solve time, first tier: "
                   f"{statistics.median(times):.2f} s over {len(times)} solves")
    for solver in OURS:
        times = sorted(row["solve_seconds"] for row in rows
                       if row["solver"] == solver and "solve_seconds" in row)
        if times:
            out.append(f"{solver}: solve time median {statistics.median(times):.2f} s, "
                       f"max {times[-1]:.1f} s over {len(times)} solves")
    worse = 0
    for row in rows:
        if row["solver"] not in OURS or "error" in row:
            continue
        warm = BASELINES if row["solver"] != "fixed-order" else BASELINES[:3]
        base = [r["nc_bytes"] for r in rows
                if r["model"] == row["model"] and r["weights"] == row["weights"]
                and r["budget"] == row["budget"] and r["solver"] in warm
                and "error" not in r]
        if base and row["nc_bytes"] > min(base):
            worse += 1
    out.append(f"plans worse than their warm start: {worse}")
    warned = [row for row in rows if row.get("warnings")]
    out.append(f"solves with a warning (a time limit reached, with the gap; "
               f"a model too large to build): {len(warned)}")
    infeasible = [row for row in rows
                  if "error" in row and "bytes of scratchpad" in row["error"]]
    errors = [row for row in rows
              if "error" in row and row not in infeasible]
    out.append(f"budgets below M_R (no plan can exist): {len(infeasible)} "
               f"rows; other failures: {len(errors)}; every plan reported "
               f"was verified by verifyPlan")
    return "\n".join(out)


def render(rows, args):
    """The tables and the summary, as markdown."""
    planners = args.solvers.split(",")
    report = []
    for weights in (["in", "out"] if args.weights == "both" else [args.weights]):
        report.append(f"\n### NC traffic (KiB), weights {weights}\n")
        report.append(table(rows, weights, planners))
    report.append("\n### Summary\n")
    report.append(summary(rows))
    return "\n".join(report)


def main():
    args = parse_args()
    if args.from_rows:
        with open(args.from_rows) as rows_file:
            rows = [json.loads(line) for line in rows_file]
        print(render(rows, args))
        return
    out_dir = args.out or os.path.join(
        args.build, f"bench-memory-e{args.element_bytes}")
    model_dir = os.path.join(args.build, "bench-models")
    os.makedirs(out_dir, exist_ok=True)
    models = args.models.split(",")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "models", "export.py"),
                    "--out", model_dir] + models, check=True)
    rows = []
    rows_path = os.path.join(out_dir, "rows.jsonl")
    with open(rows_path, "w") as out_file:
        for name in models:
            rows += run_model(args, model_dir, name, out_file)
    text = render(rows, args)
    print(text)
    with open(os.path.join(out_dir, "report.md"), "w") as f:
        f.write(text + "\n")
    print(f"\nrows: {rows_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
