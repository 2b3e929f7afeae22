#!/usr/bin/env python3
"""Scores `slagboom backtest --json` against the ground truth of
scripts/generate_nl.py: per rule, how many injected tours it found and how
many of its alerts belong to a tour.

    python3 scripts/score_backtest.py --csv /tmp/nl.csv \\
        --truth /tmp/nl-truth.json [--config config/slagboom.yaml] [--json]

runs `build/slagboom backtest --profile native --json` over the CSV from
the repository root; `--report FILE` reads a report saved earlier instead.

Definitions (per rule):

* an alert *belongs to* a tour when at least one incident behind it is a
  step of that tour (ground truth `report_ids`);
* recall = tours with at least one alert of the rule that belongs to them
  / all tours;
* precision = alerts of the rule that belong to some tour / all alerts of
  the rule (null when the rule fired nothing).  Background plates that
  come back are not tours, so an alert on one counts against precision
  even where police might want it; `roamer` counts those alerts that
  rest on a regional offender of the ground truth (a thief working the
  towns within an hour's drive, alone, with no park, storage or fence).

The row `any` takes the alerts of every rule together.

Incidents are matched by id: a back-test names an incident as an import
into a data folder does (main/backtest_command.cc, ingest/incident_store.cc):
"inc_" and the first 20 hex digits of SHA-256 of "import\\n<report_id>".

Exit status: 0 scored, 1 the back-test failed, 2 a wrong command line.
Only the Python 3 standard library is used.  See docs/generator.md.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def incident_id(report_id, reporter="import"):
    digest = hashlib.sha256((reporter + "\n" + report_id).encode("utf-8"))
    return "inc_" + digest.hexdigest()[:20]


def run_backtest(args):
    cmd = [args.slagboom, "backtest", "--config", args.config, "--profile",
           args.profile, "--json"] + args.csv
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE)
    if done.returncode != 0:
        print("score_backtest: %s exited %d" % (" ".join(cmd),
                                                done.returncode),
              file=sys.stderr)
        sys.exit(1)
    return json.loads(done.stdout)


def score(report, truth):
    tour_of = {}
    for tour in truth["tours"]:
        for rid in tour["report_ids"]:
            tour_of[incident_id(rid)] = tour["tour"]
    roamer = {incident_id(rid)
              for r in truth.get("regional_offenders", [])
              for rid in r["report_ids"]}
    names = [r["rule"] for r in report["rules"]]
    fresh = lambda: {"alerts": 0, "tour_alerts": 0, "roamer_alerts": 0,
                     "found": set()}
    per_rule = {n: fresh() for n in names + ["any"]}
    for alert in report["alerts"]:
        ids = [i["id"] for i in alert["incidents"]]
        tours = {tour_of[i] for i in ids if i in tour_of}
        for name in (alert["rule"], "any"):
            s = per_rule.setdefault(name, fresh())
            s["alerts"] += 1
            s["tour_alerts"] += bool(tours)
            s["roamer_alerts"] += not tours and any(i in roamer for i in ids)
            s["found"] |= tours

    all_tours = [t["tour"] for t in truth["tours"]]
    rules = []
    for name, s in per_rule.items():
        rules.append({
            "rule": name,
            "alerts": s["alerts"],
            "tour_alerts": s["tour_alerts"],
            "roamer_alerts": s["roamer_alerts"],
            "tours_found": len(s["found"]),
            "tours": len(all_tours),
            "recall": len(s["found"]) / len(all_tours) if all_tours else None,
            "precision": (s["tour_alerts"] / s["alerts"]
                          if s["alerts"] else None),
            "missed": [t for t in all_tours if t not in s["found"]],
        })
    return {"incidents": report["incidents"], "late": report["late"],
            "tours": len(all_tours), "rules": rules}


def format_score(score):
    def num(x):
        return "-" if x is None else "%.2f" % x

    out = ["incidents=%d late=%d tours=%d" % (score["incidents"],
                                              score["late"], score["tours"]),
           "", "%-22s %7s %6s %7s %7s %7s %9s" % (
               "rule", "alerts", "tour", "roamer", "found", "recall",
               "precision")]
    for r in score["rules"]:
        out.append("%-22s %7d %6d %7d %7s %7s %9s" % (
            r["rule"], r["alerts"], r["tour_alerts"], r["roamer_alerts"],
            "%d/%d" % (r["tours_found"], r["tours"]), num(r["recall"]),
            num(r["precision"])))
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--truth", required=True, help="from generate_nl.py")
    p.add_argument("--csv", nargs="+", default=[],
                   help="the generated CSV file(s) to back-test")
    p.add_argument("--report", help="a saved `backtest --json` report")
    p.add_argument("--config", default=os.path.join(ROOT, "config",
                                                    "slagboom.yaml"))
    p.add_argument("--profile", default="native")
    p.add_argument("--slagboom", default=os.path.join(ROOT, "build",
                                                      "slagboom"))
    p.add_argument("--json", action="store_true", help="print JSON")
    args = p.parse_args()
    if bool(args.report) == bool(args.csv):
        p.error("give either --csv or --report")
    args.config = os.path.abspath(args.config)
    args.slagboom = os.path.abspath(args.slagboom)
    args.csv = [os.path.abspath(c) for c in args.csv]

    with open(args.truth, encoding="utf-8") as f:
        truth = json.load(f)
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
    else:
        report = run_backtest(args)
    result = score(report, truth)
    if args.json:
        print(json.dumps(result))
    else:
        sys.stdout.write(format_score(result))


if __name__ == "__main__":
    main()
