#!/usr/bin/env python3
"""test_indexer.py - iqn-index on bad and good input: malformed XML files (from libxml2's own error
suite) and bad JSON Lines records are reported as `path:line: reason` with exit 1 while the good
records of the same run are stored; a re-run is all unchanged; --dry-run writes nothing; gzip
input; standard input; --delete; unsupported files are skipped; usage errors exit 2."""

import gzip
import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

LIBXML2 = os.environ.get("IQN_LIBXML2_SAMPLES", os.path.join(Config.source, "..", "shared", "data", "import-samples", "libxml2"))
LIBXML2_ERRORS = ("unclosed-element.xml", "extra-content.xml", "comment1.xml", "dup-xml-attr.xml", "attr2.xml")

# mixed.jsonl: line -> texts its error message must contain
MIXED_BAD = {2: ("JSON",), 4: ("province", "ZZ", "fixture-mixed-zz"), 5: ("colour",),
             8: ("date", "2021-02-29", "fixture-mixed-baddate")}
MIXED_GOOD = ("fixture-mixed-1", "fixture-mixed-2", "fixture-mixed-3")

BAD_CODE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<records>
  <record>
    <id>fixture-badcode-ok</id>
    <type>page</type>
    <lang>en</lang>
    <title>A good record next to a bad one</title>
  </record>
  <record>
    <id>fixture-badcode-zz</id>
    <type>report</type>
    <lang>en</lang>
    <title>Record with an unknown province</title>
    <province>ZZ</province>
  </record>
  <record>
    <id>fixture-badcode-typo</id>
    <type>report</type>
    <lang>en</lang>
    <titel>Misspelt field</titel>
  </record>
</records>
"""
BAD_CODE_RECORD_LINE = 9     # <record> of fixture-badcode-zz
BAD_CODE_PROVINCE_LINE = 14  # its <province>
TYPO_RECORD_LINE = 16
TYPO_FIELD_LINE = 20


def libxml2_expected_line(name):
    """The line libxml2 itself reports for the first error of test/errors/name."""
    with open(os.path.join(LIBXML2, "_expected_parser_output", "errors", name + ".err"), encoding="latin-1") as f:
        first = f.readline()
    m = re.match(r"\S+?:(\d+): ", first)
    return int(m.group(1))


def error_lines(stderr, path):
    """{line: message} of the `path:line: message` lines of stderr (line 0 for `path: message`)."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith(path + ":"):
            rest = line[len(path) + 1:]
            m = re.match(r"(\d+): (.*)$", rest)
            if m:
                out.setdefault(int(m.group(1)), m.group(2))
            else:
                out.setdefault(0, rest.strip())
    return out


class Indexer(unittest.TestCase):

    def setUp(self):
        self.tmp = harness.TempDir()
        self.db = self.tmp.join("index")

    def tearDown(self):
        self.tmp.close()

    def good_inputs(self):
        return [Config.fixture("good.xml"), Config.fixture("snippet.jsonl")]

    # ---- bad input ----

    def test_malformed_batch(self):
        if not os.path.isdir(os.path.join(LIBXML2, "test", "errors")):
            self.skipTest("libxml2's error samples not found at %s (set IQN_LIBXML2_SAMPLES)" % LIBXML2)
        src = self.tmp.join("in")
        os.mkdir(src)
        for name in LIBXML2_ERRORS:
            shutil.copy(os.path.join(LIBXML2, "test", "errors", name), os.path.join(src, name))
        shutil.copy(Config.fixture("mixed.jsonl"), os.path.join(src, "mixed.jsonl"))
        shutil.copy(Config.fixture("good.xml"), os.path.join(src, "good.xml"))
        with open(os.path.join(src, "bad-code.xml"), "w", encoding="utf-8") as f:
            f.write(BAD_CODE_XML)
        run = harness.run_index(self.db, [src])
        self.assertEqual(run.returncode, 1, run)
        err = run.stderr

        for name in LIBXML2_ERRORS:
            with self.subTest(file=name):
                path = os.path.join(src, name)
                lines = error_lines(err, path)
                self.assertTrue(lines, "no error naming %s: %r" % (path, err[-3000:]))
                want = libxml2_expected_line(name)
                self.assertIn(want, lines, "%s: expected line %d, got %r" % (name, want, lines))
                self.assertTrue(lines[want].strip(), "empty reason")

        mixed = error_lines(err, os.path.join(src, "mixed.jsonl"))
        self.assertEqual(sorted(mixed), sorted(MIXED_BAD), mixed)
        for line, texts in MIXED_BAD.items():
            for t in texts:
                self.assertIn(t, mixed[line], "mixed.jsonl:%d" % line)

        bad = error_lines(err, os.path.join(src, "bad-code.xml"))
        zz = [msg for line, msg in bad.items() if line in (BAD_CODE_RECORD_LINE, BAD_CODE_PROVINCE_LINE)]
        self.assertTrue(zz, "no error at line %d or %d of bad-code.xml: %r" % (
            BAD_CODE_RECORD_LINE, BAD_CODE_PROVINCE_LINE, bad))
        for t in ("province", "ZZ", "fixture-badcode-zz"):
            self.assertIn(t, zz[0])
        typo = [msg for line, msg in bad.items() if line in (TYPO_RECORD_LINE, TYPO_FIELD_LINE)]
        self.assertTrue(typo, "no error for the misspelt field: %r" % bad)
        self.assertIn("titel", typo[0])

        s = run.summary
        self.assertIsNotNone(s, run)
        good = len(MIXED_GOOD) + 2 + 1
        self.assertEqual(s["added"], good, run)
        self.assertEqual(s["failed"], len(LIBXML2_ERRORS) + len(MIXED_BAD) + 2, run)
        self.assertEqual(s["files"], len(LIBXML2_ERRORS) + 3)

        # The good records are stored, canonicalised.
        daemon = harness.Searchd(self.db).start()
        try:
            for rid in MIXED_GOOD + ("fixture-xml-1", "fixture-xml-2", "fixture-badcode-ok"):
                status, obj = daemon.get_json("/api/v1/documents/" + rid)
                self.assertEqual(status, 200, rid)
            status, obj = daemon.get_json("/api/v1/documents/fixture-mixed-3")
            self.assertEqual(obj["record"]["province"], ["ON"])
            for rid in ("fixture-mixed-zz", "fixture-mixed-colour", "fixture-mixed-baddate", "fixture-badcode-zz"):
                status, _ = daemon.get_json("/api/v1/documents/" + rid)
                self.assertEqual(status, 404, rid)
            status, obj = daemon.get_json("/healthz")
            self.assertEqual(obj["documents"], good)
        finally:
            daemon.stop()

        # The same input again: the good records are unchanged, the bad ones fail again.
        again = harness.run_index(self.db, [src], "--quiet")
        self.assertEqual(again.returncode, 1)
        self.assertEqual((again.summary["added"], again.summary["updated"], again.summary["unchanged"]),
                         (0, 0, good), again)

    def test_unknown_root_and_empty_record(self):
        path = self.tmp.join("other.xml")
        with open(path, "w") as f:
            f.write('<?xml version="1.0"?>\n<html>\n<body/>\n</html>\n')
        run = harness.run_index(self.db, [path])
        self.assertEqual(run.returncode, 1, run)
        lines = error_lines(run.stderr, path)
        self.assertIn(2, lines, run)
        self.assertIn("html", lines[2])

    def test_bad_utf8_jsonl(self):
        path = self.tmp.join("bad-utf8.jsonl")
        with open(path, "wb") as f:
            f.write(b'{"id":"utf8-ok","type":"page","lang":"en","title":"fine"}\n')
            f.write(b'{"id":"utf8-bad","type":"page","lang":"en","title":"caf\xe9"}\n')
        run = harness.run_index(self.db, [path])
        self.assertEqual(run.returncode, 1, run)
        self.assertIn(2, error_lines(run.stderr, path), run)
        self.assertEqual(run.summary["added"], 1)

    # ---- re-runs ----

    def test_rerun_unchanged(self):
        # A copy, so that it can be edited in place: a record's default `source` is its file's path,
        # so the path must stay the same for the content to be the same.
        copy = self.tmp.join("snippet.jsonl")
        shutil.copy(Config.fixture("snippet.jsonl"), copy)
        inputs = [Config.fixture("good.xml"), copy]
        first = harness.run_index(self.db, inputs)
        self.assertEqual(first.returncode, 0, first)
        self.assertEqual(first.summary["added"], 4, first)
        self.assertEqual(first.summary["failed"], 0)
        self.assertEqual(first.summary["files"], 2)
        second = harness.run_index(self.db, inputs)
        self.assertEqual(second.returncode, 0, second)
        s = second.summary
        self.assertEqual((s["records"], s["added"], s["updated"], s["unchanged"], s["failed"]), (4, 0, 0, 4, 0), second)
        # One record changed: one update.
        with open(copy, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("Wombatcheck attribute escaping", text)
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace("Wombatcheck attribute escaping", "Wombatcheck attribute escaping, revised"))
        third = harness.run_index(self.db, inputs)
        s = third.summary
        self.assertEqual((s["added"], s["updated"], s["unchanged"]), (0, 1, 3), third)
        # Only white space changed: validation collapses it, so nothing changed.
        with open(copy, encoding="utf-8") as f:
            text = f.read()
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace("escaping, revised", "escaping,   revised "))
        fourth = harness.run_index(self.db, inputs)
        s = fourth.summary
        self.assertEqual((s["added"], s["updated"], s["unchanged"]), (0, 0, 4), fourth)

    def test_summary_format(self):
        run = harness.run_index(self.db, self.good_inputs())
        line = [l for l in run.stdout.splitlines() if l.startswith("iqn-index:")]
        self.assertTrue(line, run)
        self.assertRegex(line[-1], r"^iqn-index: 4 records in 2 files: 4 added, 0 updated, 0 unchanged, 0 failed "
                                   r"in \d+(\.\d+)? s \(\d+(\.\d+)? records/s\)$")

    # ---- dry run ----

    def test_dry_run_fresh(self):
        run = harness.run_index(self.db, self.good_inputs(), "--dry-run")
        self.assertEqual(run.returncode, 0, run)
        self.assertTrue(run.summary["dry_run"], run)
        self.assertEqual(run.summary["added"], 4)
        self.assertFalse(os.path.exists(self.db) and os.listdir(self.db), "dry run wrote %s" % self.db)
        real = harness.run_index(self.db, self.good_inputs())
        self.assertEqual(real.summary["added"], 4, real)

    def test_dry_run_existing(self):
        harness.run_index(self.db, [Config.fixture("good.xml")])
        before = snapshot(self.db)
        run = harness.run_index(self.db, [Config.fixture("snippet.jsonl"), Config.fixture("good.xml")], "--dry-run")
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual((run.summary["added"], run.summary["unchanged"]), (2, 2), run)
        self.assertEqual(snapshot(self.db), before, "the dry run changed the index files")
        dry_del = harness.run_index(self.db, [], "--dry-run", "--delete", "fixture-xml-1")
        self.assertEqual(snapshot(self.db), before, "the dry-run delete changed the index files")
        self.assertIn(dry_del.returncode, (0, 1), dry_del)
        real = harness.run_index(self.db, [Config.fixture("snippet.jsonl"), Config.fixture("good.xml")])
        self.assertEqual((real.summary["added"], real.summary["unchanged"]), (2, 2), real)

    def test_dry_run_reports_errors(self):
        run = harness.run_index(self.db, [Config.fixture("mixed.jsonl")], "--dry-run")
        self.assertEqual(run.returncode, 1, run)
        self.assertEqual(sorted(error_lines(run.stderr, Config.fixture("mixed.jsonl"))), sorted(MIXED_BAD))
        self.assertEqual(run.summary["added"], len(MIXED_GOOD))

    # ---- inputs ----

    def test_gzip(self):
        gz_xml = self.tmp.join("good.xml.gz")
        gz_jsonl = self.tmp.join("snippet.jsonl.gz")
        harness.gzip_file(Config.fixture("good.xml"), gz_xml)
        harness.gzip_file(Config.fixture("snippet.jsonl"), gz_jsonl)
        run = harness.run_index(self.db, [gz_xml, gz_jsonl])
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["added"], 4, run)
        # The same compressed files again: unchanged.
        again = harness.run_index(self.db, [gz_xml, gz_jsonl])
        self.assertEqual((again.summary["added"], again.summary["unchanged"]), (0, 4), again)
        # A gzip stream cut short is a failed file, named.
        with open(gz_xml, "rb") as f:
            data = f.read()
        cut = self.tmp.join("cut.xml.gz")
        with open(cut, "wb") as f:
            f.write(data[:len(data) // 2])
        bad = harness.run_index(self.db, [cut])
        self.assertEqual(bad.returncode, 1, bad)
        self.assertTrue(error_lines(bad.stderr, cut), bad)

    def test_stdin_jsonl(self):
        with open(Config.fixture("snippet.jsonl"), "rb") as f:
            data = f.read()
        run = harness.run_index(self.db, ["-"], stdin=data)
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["added"], 2, run)

    def test_stdin_xml_gzip(self):
        with open(Config.fixture("good.xml"), "rb") as f:
            data = gzip.compress(f.read())
        run = harness.run_index(self.db, ["-"], stdin=data)
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["added"], 2, run)

    def test_stdin_errors_named(self):
        with open(Config.fixture("mixed.jsonl"), "rb") as f:
            data = f.read()
        run = harness.run_index(self.db, ["-"], stdin=data)
        self.assertEqual(run.returncode, 1, run)
        self.assertEqual(sorted(error_lines(run.stderr, "-")), sorted(MIXED_BAD), run)

    def test_skipped_file(self):
        # Plain text is imported as a document now; an image is not for us.
        txt = self.tmp.join("picture.png")
        with open(txt, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
        run = harness.run_index(self.db, [txt, Config.fixture("good.xml")])
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["skipped"], 1, run)
        self.assertEqual(run.summary["failed"], 0, run)
        self.assertEqual(run.summary["added"], 2, run)
        self.assertIn(txt, run.stderr)

    def test_brace_is_not_json(self):
        # Only '{' then a quoted name (or '}') makes JSON Lines: page templates and other text that
        # start with a brace are documents by their name and content, not lines of bad JSON. The
        # same for a tag atop a text file: XML only with an XML declaration.
        docs = self.tmp.join("docs")
        os.makedirs(docs)
        files = {
            "page.html": "{% raw %}\n<!DOCTYPE html>\n<html lang=\"en\"><head><title>Template page</title></head>"
                         "<body><p>Welders apprenticeship page body</p></body></html>\n{% endraw %}\n",
            "toc.html": "{{toc}}\n\nBridging programs for internationally trained nurses.\n",
            "notes.txt": "{curly notes}\nLicensure of engineers in Alberta.\n",
            "records.jsonl": '{"id":"brace-json-1","type":"report","lang":"en","title":"A record in braces"}\n',
            "spaced": '{ \n"id":"x"}\n',  # a JSON document over two lines: not JSON Lines
            # A tag atop a file named as text is not XML (README.md files often start with HTML)...
            "readme.md": '<p align="center">Logo</p>\n\n# Mentorship circles\n\nPeer mentorship for newcomer pharmacists.\n',
            "page.rst": "<PROJECT-NAME>_VERSION\n---------------------\n\nThe version of the named project.\n",
            # ...unless it declares itself XML.
            "records.txt": '<?xml version="1.0"?>\n<records><record><id>brace-xml-1</id><type>report</type>'
                           '<lang>en</lang><title>Record in a txt file</title></record></records>\n',
        }
        for name, text in files.items():
            with open(os.path.join(docs, name), "w", encoding="utf-8") as f:
                f.write(text)
        run = harness.run_index(self.db, [docs], "--quiet")
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual((run.summary["added"], run.summary["skipped"], run.summary["failed"]), (7, 1, 0), run)
        self.assertIn("JSON document, not JSON Lines", run.stderr)
        daemon = harness.Searchd(self.db).start()
        try:
            for q, want in (('"welders apprenticeship"', "page.html"), ('"bridging programs"', "toc.html"),
                            ('"licensure of engineers"', "notes.txt"), ('"a record in braces"', "brace-json-1"),
                            ('"newcomer pharmacists"', "readme.md"), ('"named project"', "page.rst"),
                            ('"record in a txt file"', "brace-xml-1")):
                total, hits = daemon.search_all({"q": q})
                self.assertEqual([h["id"] for h in hits], [want], q)
            total, hits = daemon.search_all({"q": '"template page"'})
            self.assertEqual(hits[0]["title"], "Template page")
        finally:
            daemon.stop()

    def test_missing_path(self):
        missing = self.tmp.join("no-such-file.xml")
        run = harness.run_index(self.db, [missing, Config.fixture("good.xml")])
        self.assertEqual(run.returncode, 1, run)
        self.assertIn(missing, run.stderr)
        self.assertEqual(run.summary["added"], 2, run)

    def test_batch(self):
        run = harness.run_index(self.db, self.good_inputs(), "--batch", "1")
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.summary["added"], 4)

    def test_first_import_same_as_in_place(self):
        # A first import is built in parallel parts, with a "main" index that keeps only what the
        # import reads back; one filled in place goes record by record. Both must give the same
        # index, translations included: a partner arriving after its record, a record given twice
        # (the second time with a pair), a one-sided pair, a pair whose partner is given again.
        recs = [
            {"id": "pa", "type": "report", "lang": "en", "title": "Welding apprentices", "body": "Welders and apprentices."},
            {"id": "pb", "type": "report", "lang": "fr", "pair": "pa", "title": "Les soudeurs", "body": "Soudeurs et apprentis."},
            {"id": "pc", "type": "report", "lang": "en", "title": "Plumbers", "body": "Plumbers in the trades."},
            {"id": "pa", "type": "report", "lang": "en", "pair": "pb", "title": "Welding apprentices",
             "body": "Welders and apprentices, again.", "province": ["ON"]},
            {"id": "pd", "type": "report", "lang": "fr", "pair": "pc", "title": "Plombiers", "body": "Plombiers des métiers."},
            {"id": "pe", "type": "lesson", "lang": "fr", "pair": "pf", "title": "Mentorat", "body": "Mentorat des infirmières."},
            {"id": "pf", "type": "lesson", "lang": "en", "pair": "pe", "title": "Mentoring", "body": "Mentoring nurses."},
            {"id": "pe", "type": "lesson", "lang": "fr", "pair": "pf", "title": "Mentorat", "body": "Le mentorat des infirmières."},
        ]
        src = self.tmp.join("pairs.jsonl")
        harness.write_jsonl(src, recs)
        dbs = {"parts": self.tmp.join("parts"), "in-place": self.tmp.join("in-place")}
        for name, db in dbs.items():
            run = harness.run_index(db, [src, Config.fixture("good.xml")], *(["--in-place"] if name == "in-place" else []))
            self.assertEqual(run.returncode, 0, run)
        queries = [{"q": q, "ui_lang": lang} for q in ("", "soudeurs", "welders", "plombiers", "plumbers", "mentoring",
                                                        "infirmières", "again") for lang in ("en", "fr")]
        got = {}
        for name, db in dbs.items():
            daemon = harness.Searchd(db).start()
            try:
                out = [daemon.search(dict(q, per_page="50")) for q in queries]
                for o in out:
                    o.pop("took_ms", None)
                out.append([daemon.get_json("/api/v1/documents/" + rid) for rid in ("pa", "pb", "pc", "pd", "pe", "pf")])
                got[name] = out
            finally:
                daemon.stop()
        self.assertEqual(got["parts"], got["in-place"])
        paired = [h["id"] for h in got["parts"][queries.index({"q": "soudeurs", "ui_lang": "en"})]["hits"]]
        self.assertEqual(paired, ["pa"], "the English record of a pair carries its French text")

    # ---- interrupted runs ----

    def test_first_import_reaches_a_running_searchd(self):
        # A first import is published by swapping the index folder: a searchd already serving the
        # empty index sees every record at its next request, and the build folder is gone.
        empty = harness.run_index(self.db, [], "--delete", "nothing-here")  # makes the empty index
        self.assertEqual((empty.returncode, empty.deletes["not_found"]), (1, 1), empty)
        daemon = harness.Searchd(self.db).start()
        try:
            self.assertEqual(daemon.search_all({"q": ""})[0], 0)
            run = harness.run_index(self.db, self.good_inputs(), "--quiet")
            self.assertEqual(run.returncode, 0, run)
            self.assertGreater(run.summary["added"], 0, run)
            total, hits = daemon.search_all({"q": ""}, per_page=100)
            self.assertGreater(total, 0)
        finally:
            daemon.stop()
        fresh = harness.Searchd(self.db).start()  # what a searchd started afterwards finds
        try:
            total2, hits2 = fresh.search_all({"q": ""}, per_page=100)
        finally:
            fresh.stop()
        self.assertEqual((total, [h["id"] for h in hits]), (total2, [h["id"] for h in hits2]))
        self.assertFalse(os.path.exists(self.db + ".bulk"))
        again = harness.run_index(self.db, self.good_inputs(), "--quiet")
        self.assertEqual((again.summary["added"], again.summary["updated"]), (0, 0), again)

    def test_kill9_then_rerun(self):
        # SPEC 3: killed at any moment, the index stays openable and consistent; a re-run finishes.
        n = 6000
        path = self.tmp.join("many.jsonl")
        harness.write_jsonl(path, ({"id": "kill-%d" % i, "type": "report", "lang": "en",
                                    "title": "Interrupted import record %d" % i,
                                    "summary": "Record %d of a run killed with SIGKILL." % i,
                                    "body": " ".join("word%d" % ((i * 7 + k) % 997) for k in range(150)),
                                    "province": ["ON"], "date": "2020-01-01"} for i in range(n)))
        args = [Config.index, "--db", self.db, "--vocab", Config.vocab_dir(), "--batch", "100", "--quiet", path]
        proc = harness.subprocess.Popen(args, stdout=harness.subprocess.PIPE, stderr=harness.subprocess.PIPE,
                                        env=harness.child_env())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not os.path.exists(
                os.path.join(self.db, "iamglass")):
            time.sleep(0.02)
        time.sleep(0.5)
        proc.kill()
        proc.communicate(timeout=60)
        killed = proc.returncode == -9
        if killed:
            # A first import is built in parts beside the index and published whole at the end:
            # killed before that, the index is still the empty one, and whole.
            rc, out = harness.xapian_check(self.db)
            self.assertEqual(rc, 0, out[-3000:])
            self.assertTrue(os.path.isdir(self.db + ".bulk"), "no build folder beside the index")
            daemon = harness.Searchd(self.db).start()
            try:
                self.assertEqual(daemon.search_all({"q": ""})[0], 0)
            finally:
                daemon.stop()
        rerun = harness.run_index(self.db, [path], "--quiet")
        self.assertFalse(os.path.exists(self.db + ".bulk"), "the build folder outlived the build")
        self.assertEqual(rerun.returncode, 0, rerun)
        s = rerun.summary
        self.assertEqual(s["failed"], 0, rerun)
        self.assertEqual(s["added"] + s["unchanged"], n, rerun)
        self.assertEqual(s["updated"], 0, rerun)
        if killed:
            self.assertGreater(s["added"], 0, "the killed run had finished everything: %r" % rerun)
        check = harness.run_index(self.db, [path], "--dry-run", "--quiet")
        self.assertEqual(check.summary["unchanged"], n, check)

    # ---- delete ----

    def test_delete(self):
        harness.run_index(self.db, self.good_inputs())
        run = harness.run_index(self.db, [], "--delete", "fixture-xml-1", "fixture-snippet-attr")
        self.assertEqual(run.returncode, 0, run)
        self.assertEqual(run.deletes, {"deleted": 2, "not_found": 0}, run)
        check = harness.run_index(self.db, self.good_inputs(), "--dry-run")
        self.assertEqual((check.summary["added"], check.summary["unchanged"]), (2, 2), check)
        missing = harness.run_index(self.db, [], "--delete", "never-there")
        self.assertEqual(missing.deletes, {"deleted": 0, "not_found": 1}, missing)
        self.assertEqual(missing.returncode, 1, missing)
        # Deleting and re-adding in one run.
        both = harness.run_index(self.db, [Config.fixture("good.xml"), "--delete", "fixture-xml-2"])
        self.assertEqual(both.deletes["deleted"], 1, both)

    # ---- usage ----

    def test_usage_errors(self):
        cases = [[], ["--db"], ["--bogus-option", Config.fixture("good.xml")], ["--batch", "0", Config.fixture("good.xml")],
                 ["--batch", "abc", Config.fixture("good.xml")]]
        for extra in cases:
            with self.subTest(args=extra):
                args = extra if not extra or extra[0] == "--db" else ["--db", self.db] + extra
                proc = harness.subprocess.run([Config.index] + args, stdout=harness.subprocess.PIPE,
                                              stderr=harness.subprocess.PIPE, timeout=120, env=harness.child_env())
                self.assertEqual(proc.returncode, 2, proc)
                self.assertTrue(proc.stderr.strip(), proc)
                self.assertFalse(harness.sanitizer_problems(proc.stderr.decode("utf-8", "replace")))
        self.assertFalse(os.path.exists(self.db) and os.listdir(self.db), "a usage error created the index")

    def test_bad_vocab_dir(self):
        proc = harness.subprocess.run([Config.index, "--db", self.db, "--vocab", self.tmp.join("nope"),
                                       Config.fixture("good.xml")], stdout=harness.subprocess.PIPE,
                                      stderr=harness.subprocess.PIPE, timeout=120, env=harness.child_env())
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"nope", proc.stderr)


def snapshot(directory):
    """{name: (size, mtime_ns)} of the files under directory."""
    out = {}
    for dirpath, _, files in os.walk(directory):
        for name in files:
            st = os.stat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), directory)] = (st.st_size, st.st_mtime_ns)
    return out


if __name__ == "__main__":
    harness.main()
