#!/usr/bin/env bash
# bench/import_vs_omindex.sh - import speed of iqn-index against Xapian Omega's omindex on HTML.
#
# For each N (default 2000 and 10000): make N HTML pages from iqn-gen records (deterministic:
# the same N gives the same files), import them with iqn-index and with omindex into fresh
# indexes, each under /usr/bin/time -v and each with the pages in the page cache (see warm), the
# two taking turns for --rounds rounds (default 5), and
# print the median documents per second and the largest peak memory (maximum resident set size)
# of each side by side, with the ratio of the medians and each round's ratio. Results are in
# docs/BENCHMARKS.md, "Import: iqn-index vs omindex".
#
#   bench/import_vs_omindex.sh [--sizes "2000 10000"] [--rounds N] [--build DIR] [--work DIR] [--jobs N] [--keep]
#
# Needs: a release build (./iqn build makes build/), python3, omindex (Debian xapian-omega) and
# /usr/bin/time (Debian time).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
SIZES="2000 10000"
ROUNDS=5
BUILD="$ROOT/build"
WORK=""
JOBS=""
KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --jobs) JOBS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "import_vs_omindex.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "import_vs_omindex.sh: --rounds takes a number from 1, not '$ROUNDS'" >&2; exit 2; }
INDEX="$BUILD/indexer/iqn-index"
GEN="$BUILD/corpus/gen/iqn-gen"
for need in "$INDEX" "$GEN" /usr/bin/time; do
    [ -x "$need" ] || { echo "import_vs_omindex.sh: $need not found (run ./iqn build, apt-get install time)" >&2; exit 2; }
done
command -v omindex >/dev/null || { echo "import_vs_omindex.sh: omindex not found (apt-get install xapian-omega)" >&2; exit 2; }
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d /tmp/iqn-import-bench.XXXXXX)
    [ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

# N records of iqn-gen as simple HTML pages, 500 to a folder: title, meta description, author,
# date and language in the head, the body's paragraphs as <p>.
make_pages() {
    local n=$1 out=$2
    rm -rf "$out"
    "$GEN" --format jsonl --seed 7 --vocab "$ROOT/corpus/vocab" "$n" | python3 -c '
import html, json, os, sys
out = sys.argv[1]
for i, line in enumerate(sys.stdin):
    r = json.loads(line)
    d = os.path.join(out, "part-%03d" % (i // 500))
    if i % 500 == 0:
        os.makedirs(d, exist_ok=True)
    e = html.escape
    paras = "".join("<p>%s</p>\n" % e(p) for p in r.get("body", "").split("\n\n") if p.strip())
    page = ("<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s</title>\n"
            "<meta name=\"description\" content=\"%s\">\n<meta name=\"author\" content=\"%s\">\n"
            "<meta name=\"date\" content=\"%s\">\n</head>\n<body>\n<nav><a href=\"/\">Home</a></nav>\n"
            "<main>\n<h1>%s</h1>\n%s</main>\n</body>\n</html>\n") % (
        r["lang"], e(r["title"]), e(r.get("summary", "")), e(r.get("author", "")), e(r.get("date", "")),
        e(r["title"]), paras)
    with open(os.path.join(d, "%s.html" % r["id"]), "w", encoding="utf-8") as f:
        f.write(page)
' "$out"
}

# Read every page into the page cache. omindex drops each file it reads from the cache
# (posix_fadvise DONTNEED), so without this the program run after it would read its input from
# disk and omindex never: each run starts with the input cached, as a re-run would.
warm() {
    find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

# "seconds max_rss_kib" of a /usr/bin/time -v log.
time_of() {
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
                /Maximum resident set size/ { m = $2 }
                END { printf "%s %s\n", s, m }' "$1"
}

printf '%-8s %-10s %10s %12s %12s %10s\n' files program seconds docs/s "peak RSS MiB" docs
for n in $SIZES; do
    pages="$WORK/html-$n"
    make_pages "$n" "$pages"
    mb=$(du -sm "$pages" | cut -f1)

    extra=()
    [ -n "$JOBS" ] && extra+=(--jobs "$JOBS")
    runs=()  # "isec irss idocs osec orss odocs" per round
    for round in $(seq "$ROUNDS"); do
        rm -rf "$WORK/iqn-$n" "$WORK/omega-$n"
        warm "$pages"
        /usr/bin/time -v -o "$WORK/iqn-$n.time" "$INDEX" --db "$WORK/iqn-$n" --vocab "$ROOT/corpus/vocab" --quiet \
            "${extra[@]}" "$pages" >"$WORK/iqn-$n.out" 2>"$WORK/iqn-$n.err" || {
            echo "iqn-index failed:"; tail -5 "$WORK/iqn-$n.err"; exit 1; }
        read -r isec irss < <(time_of "$WORK/iqn-$n.time")
        idocs=$(python3 -c 'import re,sys; m=re.search(r"(\d+) added", open(sys.argv[1]).read()); print(m.group(1) if m else "?")' "$WORK/iqn-$n.out")

        warm "$pages"
        /usr/bin/time -v -o "$WORK/omega-$n.time" omindex --db "$WORK/omega-$n" --url / "$pages" \
            >"$WORK/omega-$n.out" 2>&1 || { echo "omindex failed:"; tail -5 "$WORK/omega-$n.out"; exit 1; }
        read -r osec orss < <(time_of "$WORK/omega-$n.time")
        odocs=$(xapian-delve "$WORK/omega-$n" 2>/dev/null | awk '/number of documents/ { print $NF }')
        runs+=("$isec $irss $idocs $osec $orss $odocs")
    done

    python3 - "$n" "$mb" "${runs[@]}" <<'EOF'
import statistics, sys
n, mb = int(sys.argv[1]), sys.argv[2]
runs = [r.split() for r in sys.argv[3:]]
for name, col in (("iqn-index", 0), ("omindex", 3)):
    sec = statistics.median(float(r[col]) for r in runs)
    rss = max(int(r[col + 1]) for r in runs)
    print("%-8s %-10s %10.2f %12.0f %12.1f %10s" % (n, name, sec, n / sec if sec else 0, rss / 1024.0, runs[-1][col + 2]))
isec = statistics.median(float(r[0]) for r in runs)
osec = statistics.median(float(r[3]) for r in runs)
each = ", ".join("%.2fx" % (float(r[3]) / float(r[0])) for r in runs if float(r[0]))
print("%-8s %-10s %10s %12.2fx %12s %10s   (%s MB of HTML; medians of %d rounds; each round: %s)" % (
    n, "ratio", "", (osec / isec) if isec else 0, "", "", mb, len(runs), each))
EOF
done
