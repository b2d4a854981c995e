"""Checks a tessera-compile --report-memory JSON file (memory-plan.test)."""
import argparse
import json
import sys

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("report", nargs="?")
parser.add_argument("--solver", required="--help" not in sys.argv)
parser.add_argument("--nc", type=int, help="expected NC bytes")
parser.add_argument("--optimal", action="store_true")
parser.add_argument("--no-weights", action="store_true")
parser.add_argument("--warned-unless-optimal", action="store_true",
                    help="a plan not proven optimal must carry a warning "
                    "naming the time limit and the gap")
args = parser.parse_args()

report = json.load(open(args.report))
def check(condition, what):
    if not condition:
        sys.exit(f"{args.report}: {what}\n{json.dumps(report, indent=1)[:2000]}")

check(report["requested_solver"] == args.solver, "solver")
check(report["peak_spm_bytes"] <= report["spm_bytes"], "peak above capacity")
check(report["nc_bytes"] == report["nc_load_bytes"] + report["nc_store_bytes"],
      "NC split")
if args.nc is not None:
    check(report["nc_bytes"] == args.nc, f"NC bytes {report['nc_bytes']} != {args.nc}")
if args.optimal:
    check(report["proven_optimal"] and report.get("gap", 1) == 0, "not optimal")
    check(report["relaxation_bound_nc_bytes"] <= report["nc_bytes"], "bound")
check(report["include_weights"] == (not args.no_weights), "include_weights")
if args.warned_unless_optimal and not report["proven_optimal"]:
    check(any("time limit" in w and "gap" in w for w in report["warnings"]),
          "a plan not proven optimal without a time-limit warning")
steps = report["steps"]
check(len(steps) == report["operators"], "one entry per step")
check(steps[0]["loads"], "the first step loads nothing")
for step in steps:
    live = sorted((r["offset"], r["offset"] + r["bytes"], r["tensor"])
                  for r in step["resident"])
    for (a0, a1, an), (b0, b1, bn) in zip(live, live[1:]):
        check(a1 <= b0, f"step {step['step']}: {an} and {bn} overlap")
