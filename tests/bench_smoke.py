"""bench_smoke.py - keeps the benchmark harnesses from rotting: runs bench/run end to end on 500
records with 1-second load levels against the programs of this build, and checks that it prints
every table, row and column (import, search at every level, the shards, the facet sweep, the
targets), that no search failed, that the SQL peers' numbers of matches are near iqn's, that the
PostgreSQL server it started is gone, and that the plots were drawn; then
bench/import_vs_omindex.sh on 50 HTML pages in 2 rounds, checking its rows (both programs import
every page) and its ratio line. The figures themselves are not judged.

Python 3 standard library only. Usage: bench_smoke.py --build BUILD_DIR --source SOURCE_DIR"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"


PASSED = []


def check(cond, what, failures):
    print(("ok     " if cond else "FAILED ") + what)
    (PASSED if cond else failures).append(what)


RUN_ERR = []  # the stderr of each run_tool


def read_cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read()
    except OSError:
        return b""


def run_tool(cmd, timeout, what, failures):
    """Run cmd, print its output (and the end of its errors if it fails), check it exits 0; its stdout."""
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    RUN_ERR.append(run.stderr)
    print(run.stdout)
    if run.returncode != 0:
        print(run.stderr[-6000:])
    check(run.returncode == 0, what, failures)
    return run.stdout


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="iqn-bench-smoke-")
    failures = []
    try:
        cmd = [sys.executable, os.path.join(a.source, "bench", "run"), "--build", a.build, "--no-build",
               "--sizes", "500", "--seconds", "1", "--warmup", "0.2", "--rounds", "2", "--import-rounds", "2", "--sweep-seconds", "0.5", "--queries", "100",
               "--work", work]
        out = run_tool(cmd, 1200, "bench/run exits 0", failures)

        check(re.search(r"^import\s+records/s\s+records/CPU-s\s+seconds\s+peak RSS MB\s+index size MB\s*$", out,
                        re.M) is not None, "import table header", failures)
        for name in ("iqn-index", "scriptindex", "fts5", "postgresql"):
            check(re.search(r"^%s\s+(%s\s+){4}%s\s*$" % (re.escape(name), NUM, NUM), out, re.M) is not None,
                  "import row: %s, every column" % name, failures)

        check(re.search(r"^search\s+concurrency\s+queries/s\s+p50 ms\s+p99 ms\s+mean ms\s+CPU ms/query\s+empty\s+"
                        r"errors\s*$", out, re.M) is not None, "search table header", failures)
        cores = os.cpu_count() or 2
        rows = [("iqn-searchd (HTTP)", "c=1"), ("iqn-searchd (HTTP)", "c=8"), ("iqn-searchd (HTTP)", "c=64"),
                ("iqn-searchd (HTTP)", "c=64 again"), ("floor (libiqn in-process)", "t=1"),
                ("floor (libiqn in-process)", "t=%d" % cores), ("Omega CGI", "p=1"), ("Omega CGI", "p=8"),
                ("SQLite FTS5", "t=1"), ("SQLite FTS5", "t=%d" % cores), ("PostgreSQL FTS", "t=1"),
                ("PostgreSQL FTS", "t=%d" % cores)]
        for name, conc in rows:
            m = re.search(r"^%s\s+%s\s+(%s)\s+(%s)\s+(%s)\s+(%s)\s+(%s)\s+(-|\d+%%)\s+(\d+)\s*$" % (
                re.escape(name), re.escape(conc), NUM, NUM, NUM, NUM, NUM), out, re.M)
            check(m is not None, "search row: %s %s, every column" % (name, conc), failures)
            if m:
                check(float(m.group(1).replace(",", "")) > 0, "%s %s: queries/s above zero" % (name, conc), failures)
                check(m.group(7) == "0", "%s %s: no failed searches" % (name, conc), failures)

        check("iqn-searchd RSS:" in out and "peak of each level" in out, "RSS line", failures)
        check(re.search(r"^Shards: the same queries through iqn-searchd over 3 shards.*Import into 3 shards: %s "
                        r"records/s\.$" % NUM, out, re.M) is not None, "shards line", failures)
        for name in ("single index", "3 local shards", "3 shards via xapian-tcpsrv"):
            for conc in ("c=1", "c=8"):
                m = re.search(r"^%s\s+%s\s+(%s)\s+%s\s+%s\s+%sx\s+%sx\s+(\d+)\s*$" % (
                    re.escape(name), conc, NUM, NUM, NUM, NUM, NUM), out, re.M)
                check(m is not None and float(m.group(1).replace(",", "")) > 0 and m.group(2) == "0",
                      "shards row: %s %s, every column, no failed searches" % (name, conc), failures)
        m = re.search(r"^Same work: on the first \d+ queries, SQLite FTS5's number of matches is within 20% of "
                      r"iqn's for (\d+)% of them.*; PostgreSQL's for (\d+)%", out, re.M)
        check(m is not None, "agreement line, with PostgreSQL", failures)
        # The SQL peers must run the same searches: most of their counts near iqn's (about 80 % of
        # the queries on these records).
        for name, share in (("SQLite FTS5", m.group(1) if m else "0"), ("PostgreSQL", m.group(2) if m else "0")):
            check(int(share) >= 50, "%s's numbers of matches near iqn's for most queries (%s%%)" % (name, share),
                  failures)
        check(re.search(r"^values\s+iqn-searchd\s+floor\s+Omega CGI\s+SQLite FTS5\s+PostgreSQL FTS\s*$", out, re.M)
              is not None, "facet sweep header", failures)
        for k in (0, 1, 2, 4, 8):
            check(re.search(r"^%d(\s+%s / %s){5}\s*$" % (k, NUM, NUM), out, re.M) is not None,
                  "facet sweep row: %d values, every column" % k, failures)

        check(re.search(r"^target\s+measured\s+by CPU time\s+goal\s+met\s*$", out, re.M) is not None,
              "targets table header", failures)
        targets = re.findall(r"^.*\s(yes|NO)\s*$", out.split("targets at", 1)[-1], re.M)
        check(len(targets) == 8, "8 targets judged (got %d)" % len(targets), failures)
        check(re.search(r"^queries/s at least 10x PostgreSQL's with facets", out, re.M) is not None,
              "PostgreSQL target judged", failures)
        m = re.search(r"PostgreSQL: starting the server \(data: (\S+), log:", RUN_ERR[-1])
        check(m is not None, "PostgreSQL cluster started by the run", failures)
        if m:
            left = [pid for pid in os.listdir("/proc") if pid.isdigit() and m.group(1).encode() in read_cmdline(pid)]
            check(not left, "PostgreSQL server stopped at the end of the run (left: %s)" % left, failures)

        for name in ("bench-scaling.svg", "bench-facets.svg", "bench-rss.svg"):
            path = os.path.join(work, name)
            ok = os.path.exists(path) and "<svg" in open(path, encoding="utf-8", errors="replace").read(4000)
            check(ok, "plot drawn: %s" % name, failures)
        for name in ("results.json", "results.md"):
            check(os.path.getsize(os.path.join(work, name)) > 0 if os.path.exists(os.path.join(work, name)) else False,
                  "raw results: %s" % name, failures)

        html_work = os.path.join(work, "html")
        cmd = ["bash", os.path.join(a.source, "bench", "import_vs_omindex.sh"), "--build", a.build, "--sizes", "50",
               "--rounds", "2", "--work", html_work]
        out = run_tool(cmd, 600, "import_vs_omindex.sh exits 0", failures)
        check(re.search(r"^files\s+program\s+seconds\s+docs/s\s+peak RSS MiB\s+docs\s*$", out, re.M) is not None,
              "HTML import table header", failures)
        for name in ("iqn-index", "omindex"):
            check(re.search(r"^50\s+%s\s+%s\s+%s\s+%s\s+50\s*$" % (re.escape(name), NUM, NUM, NUM), out, re.M)
                  is not None, "HTML import row: %s, every column, all 50 pages indexed" % name, failures)
        check(re.search(r"^50\s+ratio\s+%sx\s+.*medians of 2 rounds; each round: %sx, %sx\)\s*$" % (NUM, NUM, NUM),
                        out, re.M) is not None, "HTML import ratio line with each round's ratio", failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (len(PASSED), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
