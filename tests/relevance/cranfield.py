#!/usr/bin/env python3
"""Relevance evaluation on the Cranfield collection, through the real indexer and search API.

Indexes ../shared/data/cranfield (1400 documents) with iqn-index, starts iqn-searchd on a free
loopback port, sends each of the 225 queries as a user would type it into the search box, and
reports MAP (1000 deep), nDCG@10 and P@5 with trec_eval's definitions. Grades 1-4 are relevant
(gain 5 - grade; 1 is best), -1 is not. Exits 1 when MAP is below --floor.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request


def parse_smart(path):
    """Yield (id, {field: text}) from a SMART-format file (.I .T .A .B .W)."""
    doc_id, fields, field = None, {}, None
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = re.match(r"^\.([ITABW])\b\s*(.*)$", line.rstrip("\n"))
            if m:
                tag, rest = m.groups()
                if tag == "I":
                    if doc_id is not None:
                        yield doc_id, fields
                    doc_id, fields, field = int(rest), {}, None
                else:
                    field = tag
                    fields.setdefault(field, "")
                continue
            if field:
                fields[field] += line
    if doc_id is not None:
        yield doc_id, fields


def clean(text):
    return " ".join(text.split())


def write_records(data_dir, out_path):
    n = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for doc_id, f in parse_smart(os.path.join(data_dir, "cran.all.1400")):
            title = clean(f.get("T", "")) or "untitled"
            rec = {"id": "cran-%d" % doc_id, "type": "report", "lang": "en", "title": title}
            if clean(f.get("A", "")):
                rec["author"] = clean(f["A"])
            body = clean(f.get("W", ""))
            if body.startswith(title):
                body = body[len(title):].strip()  # .W repeats the title
            if body:
                rec["body"] = body
            out.write(json.dumps(rec) + "\n")
            n += 1
    return n


def read_queries(data_dir):
    return [clean(f.get("W", "")) for _, f in parse_smart(os.path.join(data_dir, "cran.qry"))]


def read_qrels(data_dir):
    """{query number (1-based, file order): {doc id: grade}}."""
    qrels = {}
    with open(os.path.join(data_dir, "cranqrel")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                qrels.setdefault(int(parts[0]), {})["cran-" + parts[1]] = int(parts[2])
    return qrels


def start_searchd(binary, db, vocab):
    args = [binary, "--db", db, "--listen", "127.0.0.1:0", "--quiet"]
    if vocab:
        args += ["--vocab", vocab]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.search(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit("iqn-searchd did not start: %r %s" % (line, proc.stderr.read()))
    return proc, m.group(1).rstrip("/")


def search_ids(base, query, depth):
    ids = []
    page = 1
    while len(ids) < depth:
        qs = urllib.parse.urlencode({"q": query, "per_page": 100, "page": page})
        with urllib.request.urlopen(base + "/api/v1/search?" + qs, timeout=30) as r:
            res = json.load(r)
        ids += [h["id"] for h in res["hits"]]
        if len(res["hits"]) < 100:
            break
        page += 1
    return ids[:depth]


def average_precision(ranked, rel):
    relevant = {d for d, g in rel.items() if g > 0}
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranked, 1):
        if d in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def ndcg(ranked, rel, k):
    def gain(d):
        g = rel.get(d, 0)
        return 5 - g if g > 0 else 0
    dcg = sum(gain(d) / math.log2(i + 1) for i, d in enumerate(ranked[:k], 1))
    ideal = sorted((5 - g for g in rel.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def precision(ranked, rel, k):
    return sum(1 for d in ranked[:k] if rel.get(d, 0) > 0) / k


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", required=True, help="iqn-index binary")
    ap.add_argument("--searchd", required=True, help="iqn-searchd binary")
    ap.add_argument("--data", required=True, help="the cranfield folder")
    ap.add_argument("--vocab", help="vocabulary folder")
    ap.add_argument("--floor", type=float, default=0.0, help="fail when MAP is below this")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()

    queries = read_queries(args.data)
    qrels = read_qrels(args.data)
    with tempfile.TemporaryDirectory() as tmp:
        recs = os.path.join(tmp, "cran.jsonl")
        ndocs = write_records(args.data, recs)
        db = os.path.join(tmp, "index")
        cmd = [args.index, "--db", db, "--quiet", recs]
        if args.vocab:
            cmd[1:1] = ["--vocab", args.vocab]
        t0 = time.time()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        index_s = time.time() - t0
        proc, base = start_searchd(args.searchd, db, args.vocab)
        try:
            maps, ndcgs, p5s = [], [], []
            t0 = time.time()
            for qn, text in enumerate(queries, 1):
                ranked = search_ids(base, text, 1000)
                rel = qrels.get(qn, {})
                maps.append(average_precision(ranked, rel))
                ndcgs.append(ndcg(ranked, rel, 10))
                p5s.append(precision(ranked, rel, 5))
            query_s = time.time() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    n = len(queries)
    figures = {"documents": ndocs, "queries": n, "MAP": sum(maps) / n, "nDCG@10": sum(ndcgs) / n,
               "P@5": sum(p5s) / n}
    print("cranfield: %d documents indexed in %.1f s, %d queries in %.1f s" % (ndocs, index_s, n, query_s))
    print("cranfield: MAP %.4f  nDCG@10 %.4f  P@5 %.4f" % (figures["MAP"], figures["nDCG@10"], figures["P@5"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
    ok = figures["MAP"] >= args.floor
    print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    if not ok:
        print("cranfield: MAP %.4f is below the floor %.4f" % (figures["MAP"], args.floor), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
