#!/usr/bin/env python3
"""test_gen.py - iqn-gen, the synthetic corpus generator: byte-identical output for the same
arguments, different output for another seed, the prefix property (the first M records of a run
of N are a run of M) in both formats, --out/--per-file splitting, records valid against the
vocabularies, output indexed cleanly by iqn-index with facet counts matching an independent
count, and usage errors."""

import json
import os
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

REQUIRED = ("id", "type", "lang", "title")


def gen(*args, check=True):
    """Run iqn-gen with args; returns the CompletedProcess (stdout as bytes)."""
    proc = subprocess.run([Config.gen, "--vocab", Config.vocab_dir()] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=harness.RUN_TIMEOUT,
                          env=harness.child_env())
    bad = harness.sanitizer_problems(proc.stderr.decode("utf-8", "replace"))
    if bad:
        raise AssertionError("iqn-gen sanitizer report:\n" + "\n".join(bad[:20]))
    if check and proc.returncode != 0:
        raise AssertionError("iqn-gen %s -> %d: %s" % (args, proc.returncode, proc.stderr[-2000:]))
    return proc


def xml_records(data):
    root = ET.fromstring(data)
    assert root.tag == "records", root.tag
    out = []
    for r in root.findall("record"):
        r.tail = None  # the white space after a record depends on what follows it
        out.append(ET.tostring(r, encoding="unicode"))
    return out


def jsonl_records(data):
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


class Generator(unittest.TestCase):

    def setUp(self):
        if not Config.gen:
            self.skipTest("iqn-gen not given (--gen)")
        self.tmp = harness.TempDir()

    def tearDown(self):
        self.tmp.close()

    def test_deterministic(self):
        for fmt in ("jsonl", "xml"):
            with self.subTest(format=fmt):
                a = gen("--format", fmt, "--seed", 7, 150).stdout
                b = gen("--format", fmt, "--seed", 7, 150).stdout
                self.assertTrue(a)
                self.assertEqual(a, b)
                c = gen("--format", fmt, "--seed", 8, 150).stdout
                self.assertNotEqual(a, c)

    def test_default_seed_and_format(self):
        self.assertEqual(gen(20).stdout, gen("--seed", 1, "--format", "xml", 20).stdout)

    def test_ids(self):
        recs = jsonl_records(gen("--format", "jsonl", "--seed", 42, 25).stdout)
        self.assertEqual([r["id"] for r in recs], ["gen-42-%d" % i for i in range(1, 26)])
        recs = xml_records(gen("--seed", 42, 3).stdout)
        self.assertEqual([ET.fromstring(r).findtext("id") for r in recs], ["gen-42-1", "gen-42-2", "gen-42-3"])

    def test_prefix_property(self):
        n, m = 300, 117
        big = gen("--format", "jsonl", "--seed", 11, n).stdout.decode("utf-8").splitlines()
        small = gen("--format", "jsonl", "--seed", 11, m).stdout.decode("utf-8").splitlines()
        self.assertEqual(len(big), n)
        self.assertEqual(len(small), m)
        self.assertEqual(big[:m], small)
        bigx = xml_records(gen("--seed", 11, n).stdout)
        smallx = xml_records(gen("--seed", 11, m).stdout)
        self.assertEqual(len(bigx), n)
        self.assertEqual(bigx[:m], smallx)
        # The same records in both formats.
        for rx, rj in zip(smallx[:20], jsonl_records(gen("--format", "jsonl", "--seed", 11, 20).stdout)):
            el = ET.fromstring(rx)
            self.assertEqual(el.findtext("id"), rj["id"])
            self.assertEqual(el.findtext("title"), rj["title"])
            self.assertEqual([p.text for p in el.findall("province")], rj.get("province", []))

    def test_zero(self):
        self.assertEqual(gen("--format", "jsonl", 0).stdout, b"")
        self.assertEqual(xml_records(gen("--format", "xml", 0).stdout), [])

    def test_records_valid(self):
        vocab = harness.load_vocab()
        recs = jsonl_records(gen("--format", "jsonl", "--seed", 3, 400).stdout)
        langs = set()
        for r in recs:
            for f in REQUIRED:
                self.assertTrue(r.get(f), "%s lacks %s" % (r.get("id"), f))
            for facet in ("province", "profession", "topic"):
                for code in r.get(facet, []):
                    self.assertIn(code, vocab[facet], "%s: %s %s" % (r["id"], facet, code))
            self.assertIn(r["type"], vocab["type"])
            self.assertIn(r["lang"], vocab["lang"])
            if r.get("date"):
                self.assertRegex(r["date"], r"^\d{4}(-\d{2}(-\d{2})?)?$")
            langs.add(r["lang"])
        self.assertEqual(len({r["id"] for r in recs}), len(recs))
        self.assertTrue(any(r.get("province") for r in recs))
        self.assertTrue(any(r.get("topic") for r in recs))

    def test_out_dir(self):
        out = self.tmp.join("out")
        gen("--format", "jsonl", "--seed", 9, "--per-file", 40, "--out", out, 100)
        files = sorted(os.listdir(out))
        self.assertEqual(files, ["gen-000001.jsonl", "gen-000002.jsonl", "gen-000003.jsonl"])
        lines = []
        for name in files:
            with open(os.path.join(out, name), "rb") as f:
                lines += f.read().decode("utf-8").splitlines()
        self.assertEqual(lines, gen("--format", "jsonl", "--seed", 9, 100).stdout.decode("utf-8").splitlines())
        outx = self.tmp.join("outx")
        gen("--seed", 9, "--per-file", 40, "--out", outx, 100)
        recs = []
        for name in sorted(os.listdir(outx)):
            with open(os.path.join(outx, name), "rb") as f:
                recs += xml_records(f.read())
        self.assertEqual(recs, xml_records(gen("--seed", 9, 100).stdout))

    def test_indexes_cleanly(self):
        n = 600
        path = self.tmp.join("gen.jsonl")
        with open(path, "wb") as f:
            f.write(gen("--format", "jsonl", "--seed", 21, n).stdout)
        outx = self.tmp.join("xml")
        gen("--seed", 22, "--per-file", 250, "--out", outx, 300)
        db = self.tmp.join("index")
        run = harness.run_index(db, [path, outx], "--quiet")
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["failed"], 0, run)
        self.assertEqual(run.summary["added"], n + 300, run)
        self.assertEqual(run.stderr.strip(), "", run)
        again = harness.run_index(db, [path, outx], "--quiet")
        self.assertEqual(again.summary["unchanged"], n + 300, again)

        # Facet counts over the generated records agree with an independent count.
        vocab = harness.load_vocab()
        records = {}
        with open(path, "rb") as f:
            generated = jsonl_records(f.read())
        for r in generated:
            for facet in ("province", "profession", "topic"):
                r[facet] = r.get(facet, [])
            records[r["id"]] = r
        records.update(harness.load_corpus(outx, vocab))
        daemon = harness.Searchd(db).start()
        try:
            for params, filters in (([], {}), ([("province", "ON")], {"province": ["ON"]}),
                                    ([("province", "QC"), ("topic", "licensure")],
                                     {"province": ["QC"], "topic": ["licensure"]}),
                                    ([("lang", "fr"), ("type", "report"), ("type", "lesson")],
                                     {"lang": ["fr"], "type": ["report", "lesson"]})):
                with self.subTest(params=params):
                    obj = daemon.search(params + [("per_page", "1")])
                    total, facets = harness.expected_counts(records, filters)
                    self.assertEqual(obj["total"], total)
                    for facet in harness.FACETS:
                        got = {r["value"]: r["count"] for r in obj["facets"][facet]}
                        self.assertEqual(got, facets[facet], facet)
        finally:
            daemon.stop()

    def test_usage_errors(self):
        for args in (["--format", "pdf", "3"], ["--seed", "abc", "3"], ["-1"], ["abc"], [],
                     ["--per-file", "0", "--out", self.tmp.join("o"), "3"], ["--bogus", "3"]):
            with self.subTest(args=args):
                proc = gen(*args, check=False)
                self.assertEqual(proc.returncode, 2, proc)
                self.assertTrue(proc.stderr.strip())
                self.assertEqual(proc.stdout, b"")


if __name__ == "__main__":
    harness.main()
