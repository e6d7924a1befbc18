#!/usr/bin/env python3
"""test_import.py - iqn-index on real-world documents (issue 3): textract's sample files (supported
ones indexed and found by a phrase of their expected text, the others reported as skipped), bad
files (libxml2's malformed XML, truncated and encrypted copies) reported with their reason, kill -9
at random moments then a re-run (xapian-check clean each time, every file indexed exactly once),
incremental re-runs (nothing written when nothing changed; a touched file alone is read; --prune),
the CSV manifest with bad rows, the metadata flags, --report, and --dry-run on documents; and any
folder of files (AnyFolder: IQN_ANY_FOLDER, by default all the shared import samples) imported in
one run, every file indexed or reported with a reason, xapian-check clean, every indexed document
found by a phrase of its body, and killed and resumed to the same records. To check the importer with files of your own:

    IQN_ANY_FOLDER=/path/to/files python3 tests/integration/test_import.py \
        --index build/indexer/iqn-index --searchd build/searchd/iqn-searchd AnyFolder

Python 3 standard library only; xapian-check (xapian-tools) for the kill test."""

import csv
import hashlib
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import unittest
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

# shared/ lies beside the repository (in CI too); IQN_IMPORT_SAMPLES overrides.
SAMPLES = os.environ.get("IQN_IMPORT_SAMPLES") or next(
    (d for d in (os.path.join(Config.source, "..", "shared", "data", "import-samples"),
                 "/work/shared/data/import-samples") if os.path.isdir(d)), "/work/shared/data/import-samples")
TEXTRACT = os.path.join(SAMPLES, "textract", "tests")
LIBXML2_ERRORS = os.path.join(SAMPLES, "libxml2", "test", "errors")

# textract's sample extensions iqn-index reads; every other one is skipped (unsupported format).
SUPPORTED = {"html", "docx", "odt", "pdf", "txt", "csv", "tsv", "psv", "eml"}
# The extension-less samples, by content.
NO_EXT = {"docx_paragraphs_and_tables": "docx/paragraphs_and_tables.txt",
          "pdf_standardized_text": "txt/standardized_text.txt"}
# Supported files that must fail, with the reason's words.
EXPECTED_FAILED = {"pdf/ocr_text.pdf": "no text"}
STOPWORDS = {"the", "and", "that", "this", "with", "for", "are", "was", "from", "have", "you", "not", "but"}


def doc_id(rel):
    """The id iqn-index derives from a relative path (docs/IMPORT.md), for paths up to 128 bytes."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", rel) if not unicodedata.combining(c))
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", folded)
    out = re.sub(r"^[._-]+", "", out)
    return out or "doc"


def revision(db):
    proc = subprocess.run(["xapian-delve", db], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    m = re.search(r"revision = (\d+)", proc.stdout.decode("utf-8", "replace"))
    return int(m.group(1)) if m else None


def snapshot(directory):
    """{name: (size, mtime_ns)} of the files under directory (but Xapian's lock file, which opening
    a writer touches)."""
    out = {}
    for dirpath, _, files in os.walk(directory):
        for name in files:
            if name == "flintlock":
                continue
            st = os.stat(os.path.join(dirpath, name))
            out[os.path.relpath(os.path.join(dirpath, name), directory)] = (st.st_size, st.st_mtime_ns)
    return out


def stderr_lines(run, path):
    """The messages of run's stderr about path: `path: reason` or `path:line: reason`."""
    return [l[len(path) + 1:].strip() for l in run.stderr.splitlines() if l.startswith(path + ":")]


def phrases(text, n=3, count=6):
    """Runs of n plain words (no punctuation between them) from text, spread over it."""
    found = []
    for line in text.splitlines():
        ws = line.split()
        for i in range(len(ws) - n + 1):
            win = ws[i:i + n]
            if all(re.fullmatch(r"[A-Za-z]{3,}", w) for w in win) and not all(w.lower() in STOPWORDS for w in win):
                found.append(" ".join(win))
    if len(found) <= count:
        return found
    step = len(found) / count
    return [found[int(i * step)] for i in range(count)]


def write_html(path, title, body, lang="en", author=None, date=None, description=None):
    meta = ""
    if author:
        meta += '<meta name="author" content="%s">\n' % html.escape(author)
    if date:
        meta += '<meta name="date" content="%s">\n' % html.escape(date)
    if description:
        meta += '<meta name="description" content="%s">\n' % html.escape(description)
    with open(path, "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8"><title>%s</title>\n%s</head>\n'
                '<body><h1>%s</h1><p>%s</p></body></html>\n' % (lang, html.escape(title), meta,
                                                               html.escape(title), html.escape(body)))


WORDS = ("nurse engineer licensure credential bridging mentorship employer assessment competency training "
         "newcomer province regulator pathway internship language clinical practice exam foreign").split()


def make_pages(directory, n, seed=3):
    """n small HTML pages in folders of 200, deterministic; returns their relative paths."""
    rnd = random.Random(seed)
    rels = []
    for i in range(n):
        rel = "part-%02d/page-%05d.html" % (i // 200, i)
        path = os.path.join(directory, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        body = " ".join(rnd.choice(WORDS) for _ in range(60)) + " uniqueword%d" % i
        write_html(path, "Page %d about %s" % (i, rnd.choice(WORDS)), body)
        rels.append(rel)
    return rels


def _rc4(key, data):
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for b in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(b ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf(path, user_password=b"secret"):
    """A one-page PDF under the standard security handler (RC4, revision 2) whose user password
    is not empty: a reader without the password cannot open it."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    padded = (user_password + pad)[:32]
    doc_id = hashlib.md5(b"iqn-test").digest()
    o_key = hashlib.md5((b"owner" + pad)[:32]).digest()[:5]
    o_val = _rc4(o_key, padded)
    p_val = -4
    key = hashlib.md5(padded + o_val + (p_val & 0xffffffff).to_bytes(4, "little") + doc_id).digest()[:5]
    u_val = _rc4(key, pad)
    content = b"BT /F1 12 Tf 72 720 Td (Secret report about nurses) Tj ET"
    obj_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    stream = _rc4(obj_key, content)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + o_val.hex().encode() + b"> /U <" + u_val.hex().encode() +
        b"> /P " + str(p_val).encode() + b" >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 5 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" %
            (len(objs) + 1, doc_id.hex().encode(), doc_id.hex().encode(), xref))
    with open(path, "wb") as f:
        f.write(out)


class Import(unittest.TestCase):

    def setUp(self):
        self.tmp = harness.TempDir(prefix="iqn-import-")
        self.db = self.tmp.join("index")

    def tearDown(self):
        self.tmp.close()

    def index(self, paths, *extra):
        return harness.run_index(self.db, paths, "--quiet", *extra)

    def get_record(self, daemon, rid):
        status, obj = daemon.get_json("/api/v1/documents/" + rid)
        return obj.get("record") if status == 200 else None

    def test_body_stored_as_value(self):
        """A record's body is value slot 10, not document data (which Xapian deflates; DESIGN.md),
        whether the record came in by a first import (built in parts) or a later one (in place);
        the API gives the record back whole."""
        src = self.tmp.join("in")
        os.makedirs(src)
        for name, word in (("first.txt", "zebracorn"), ("later.txt", "quokkafish")):
            with open(os.path.join(src, name), "w") as f:
                f.write("Bridging report\n\nThe %s assessment pilot placed forty nurses.\n" % word)
            run = self.index([src])
            self.assertEqual(run.returncode, 0, run)
        for rid, word in (("first.txt", "zebracorn"), ("later.txt", "quokkafish")):
            did = subprocess.run(["xapian-delve", "-1", "-t", "Q" + rid, self.db], stdout=subprocess.PIPE,
                                 timeout=60).stdout.decode().split()[-1]
            data = subprocess.run(["xapian-delve", "-d", "-r", did, self.db], stdout=subprocess.PIPE,
                                  timeout=60).stdout.decode("utf-8", "replace").split("Term List")[0]
            value = subprocess.run(["xapian-delve", "-VR10", "-r", did, self.db], stdout=subprocess.PIPE,
                                   timeout=60).stdout.decode("utf-8", "replace").split("Term List")[0]
            self.assertIn('"id":"%s"' % rid, data)
            self.assertNotIn(word, data)
            self.assertIn("The %s assessment pilot" % word, value)
        daemon = harness.Searchd(self.db).start()
        try:
            rec = self.get_record(daemon, "later.txt")
            self.assertIsNotNone(rec)
            self.assertIn("The quokkafish assessment pilot placed forty nurses.", rec.get("body", ""))
            total, hits = daemon.search_all([("q", '"zebracorn assessment"')])
            self.assertEqual([h["id"] for h in hits], ["first.txt"])
            self.assertIn("<mark>zebracorn</mark>", hits[0].get("snippet", ""))
        finally:
            daemon.stop()

    # ---- textract's samples ----

    def test_textract_samples(self):
        if not os.path.isdir(TEXTRACT):
            self.skipTest("textract samples not found at %s" % TEXTRACT)
        report = self.tmp.join("report.csv")
        run = self.index([TEXTRACT], "--report", report)
        self.assertEqual(run.returncode, 1, run)  # ocr_text.pdf has no text: something given was not imported
        with open(report, newline="", encoding="utf-8") as f:
            rows = {os.path.relpath(r["path"], TEXTRACT): r for r in csv.DictReader(f)}

        expect_added, expect_skipped = {}, []
        for dirpath, _, files in os.walk(TEXTRACT):
            for name in files:
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, TEXTRACT)
                ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
                if rel in EXPECTED_FAILED:
                    continue
                if os.path.getsize(path) == 0:
                    expect_skipped.append((rel, "empty"))
                elif ext in SUPPORTED or name in NO_EXT:
                    expect_added[rel] = path
                else:
                    expect_skipped.append((rel, "unsupported format"))
        for rel, why in expect_skipped:
            with self.subTest(skipped=rel):
                self.assertIn(rel, rows, "%s not in the report" % rel)
                self.assertEqual(rows[rel]["status"], "skipped")
                self.assertIn(why, rows[rel]["reason"])
                self.assertTrue(any(m.startswith("skipped: ") for m in stderr_lines(run, os.path.join(TEXTRACT, rel))))
        for rel, words in EXPECTED_FAILED.items():
            with self.subTest(failed=rel):
                self.assertEqual(rows[rel]["status"], "failed")
                self.assertIn(words, rows[rel]["reason"])
        for rel in expect_added:
            self.assertNotIn(rel, rows, "%s should have been imported: %r" % (rel, rows.get(rel)))
        s = run.summary
        self.assertEqual(s["added"], len(expect_added), run)
        self.assertEqual(s["skipped"], len(expect_skipped), run)
        self.assertEqual(s["failed"], len(EXPECTED_FAILED), run)

        daemon = harness.Searchd(self.db).start()
        try:
            for rel, path in sorted(expect_added.items()):
                if rel.endswith(".txt"):
                    continue  # the expected texts themselves are found trivially
                base = os.path.basename(rel)
                stem = base.rsplit(".", 1)[0]
                if base in NO_EXT:
                    expected = os.path.join(TEXTRACT, NO_EXT[base])
                elif os.path.exists(os.path.join(os.path.dirname(path), stem + ".txt")):
                    expected = os.path.join(os.path.dirname(path), stem + ".txt")
                elif stem.startswith("standardized_text"):
                    expected = os.path.join(TEXTRACT, "txt", "standardized_text.txt")
                else:
                    continue
                with open(expected, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                candidates = phrases(text) or sorted(set(re.findall(r"[A-Za-z]{4,}", text)))[:3]
                rid = doc_id(rel)
                with self.subTest(document=rel):
                    self.assertTrue(candidates, "no phrase in %s" % expected)
                    self.assertIsNotNone(self.get_record(daemon, rid), "no record %s for %s" % (rid, rel))
                    found = []
                    for phrase in candidates:
                        total, hits = daemon.search_all([("q", '"%s"' % phrase), ("lang", "en"), ("lang", "fr")])
                        if rid in [h["id"] for h in hits]:
                            found.append(phrase)
                    self.assertTrue(found, "%s (%s) not found by any of %r" % (rel, rid, candidates))
        finally:
            daemon.stop()

    # ---- bad files ----

    def test_bad_files(self):
        src = self.tmp.join("in")
        os.mkdir(src)
        xml_errors = []
        if os.path.isdir(LIBXML2_ERRORS):
            for name in sorted(os.listdir(LIBXML2_ERRORS)):
                if name.endswith(".xml") and len(xml_errors) < 12:
                    shutil.copy(os.path.join(LIBXML2_ERRORS, name), os.path.join(src, name))
                    xml_errors.append(name)
        made = {}
        if os.path.isdir(TEXTRACT):
            for rel, cut in (("pdf/raw_text.pdf", 0.5), ("docx/raw_text.docx", 0.4), ("odt/raw_text.odt", 0.3)):
                with open(os.path.join(TEXTRACT, rel), "rb") as f:
                    data = f.read()
                name = "truncated-" + os.path.basename(rel)
                with open(os.path.join(src, name), "wb") as f:
                    f.write(data[:int(len(data) * cut)])
                made[name] = None  # any reason, but a reason
        encrypted_pdf(os.path.join(src, "encrypted.pdf"))
        made["encrypted.pdf"] = "encrypted"
        with open(os.path.join(src, "empty.html"), "w"):
            pass
        with open(os.path.join(src, "sheet.xlsx"), "wb") as f:
            with zipfile.ZipFile(f, "w") as z:
                z.writestr("[Content_Types].xml", "<Types/>")
                z.writestr("xl/workbook.xml", "<workbook/>")
        write_html(os.path.join(src, "good.html"), "A good page", "Bridging programs for engineers.")
        report = self.tmp.join("report.json")
        run = self.index([src], "--report", report)
        self.assertEqual(run.returncode, 1, run)
        with open(report, encoding="utf-8") as f:
            rows = {os.path.basename(r["path"]): r for r in json.load(f)}
        for name in xml_errors:
            with self.subTest(xml=name):
                self.assertEqual(rows[name]["status"], "failed", rows.get(name))
                self.assertTrue(rows[name]["reason"].strip())
                self.assertTrue(stderr_lines(run, os.path.join(src, name)), "no message for %s" % name)
        for name, words in made.items():
            with self.subTest(made=name):
                self.assertIn(name, rows, run)
                self.assertEqual(rows[name]["status"], "failed", rows[name])
                if words:
                    self.assertIn(words, rows[name]["reason"])
        self.assertEqual((rows["empty.html"]["status"], rows["sheet.xlsx"]["status"]), ("skipped", "skipped"))
        self.assertIn("unsupported format", rows["sheet.xlsx"]["reason"])
        s = run.summary
        self.assertEqual(s["added"], 1, run)
        self.assertEqual(s["skipped"], 2, run)
        self.assertEqual(s["failed"], len(xml_errors) + len(made), run)
        # Unsupported files alone are not a failure.
        alone = self.tmp.join("alone")
        os.mkdir(alone)
        shutil.copy(os.path.join(src, "sheet.xlsx"), alone)
        write_html(os.path.join(alone, "ok.html"), "Fine", "Nothing wrong here.")
        ok = harness.run_index(self.tmp.join("index2"), [alone], "--quiet")
        self.assertEqual(ok.returncode, 0, ok)
        self.assertEqual((ok.summary["added"], ok.summary["skipped"]), (1, 1), ok)

    # ---- kill -9 and resume ----

    def test_kill9_resume(self):
        n = int(os.environ.get("IQN_KILL_FILES", "2000"))
        pages = self.tmp.join("pages")
        rels = make_pages(pages, n)
        # In place: every commit of 40 records is kept, so kills land between and inside commits.
        # (A first import built in parts is killed in test_indexer.test_kill9_then_rerun.)
        args = [Config.index, "--db", self.db, "--vocab", Config.vocab_dir(), "--batch", "40", "--in-place",
                "--quiet", pages]
        rnd = random.Random(int(os.environ.get("IQN_KILL_SEED", "0")) or None)
        # How long a whole run takes, to kill inside it.
        t0 = time.monotonic()
        full = subprocess.run(args + ["--dry-run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=harness.RUN_TIMEOUT, env=harness.child_env())
        span = max(1.0, (time.monotonic() - t0) * 1.5)
        self.assertEqual(full.returncode, 0, full.stderr[-2000:])
        kills = 0
        for attempt in range(4):
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=harness.child_env())
            time.sleep(rnd.uniform(0.2, span / 2))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=120)
            if os.path.isdir(self.db):
                rc, out = harness.xapian_check(self.db)
                self.assertEqual(rc, 0, "xapian-check after kill %d:\n%s" % (attempt + 1, out[-3000:]))
        final = harness.run_index(self.db, [pages], "--quiet")
        self.assertEqual(final.returncode, 0, final)
        s = final.summary
        self.assertEqual((s["failed"], s["added"] + s["unchanged"] + s["updated"]), (0, n), final)
        rc, out = harness.xapian_check(self.db)
        self.assertEqual(rc, 0, out[-3000:])
        again = harness.run_index(self.db, [pages], "--quiet")
        self.assertEqual((again.summary["unchanged"], again.summary["added"]), (n, 0), again)
        # Every file exactly once: n records, one per path, each under its own id.
        daemon = harness.Searchd(self.db).start()
        try:
            total, hits = daemon.search_all({"q": ""}, per_page=100)
            ids = [h["id"] for h in hits]
            self.assertEqual(total, n)
            self.assertEqual(len(set(ids)), n)
            self.assertEqual(set(ids), {doc_id(r) for r in rels})
            for i in (0, n // 2, n - 1):
                t, h = daemon.search_all({"q": "uniqueword%d" % i})
                self.assertEqual([x["id"] for x in h], [doc_id(rels[i])])
        finally:
            daemon.stop()
        if kills == 0:
            self.skipTest("every run finished before it could be killed")

    # ---- incremental runs ----

    def test_incremental(self):
        pages = self.tmp.join("pages")
        rels = make_pages(pages, 30)
        first = self.index([pages])
        self.assertEqual((first.returncode, first.summary["added"]), (0, 30), first)
        rev = revision(self.db)
        before = snapshot(self.db)
        second = self.index([pages])
        self.assertEqual(second.returncode, 0, second)
        self.assertEqual((second.summary["unchanged"], second.summary["added"], second.summary["updated"]),
                         (30, 0, 0), second)
        self.assertIn("files: 0 read, 30 unchanged", second.stdout)
        self.assertEqual(revision(self.db), rev, "a run with nothing to do committed a revision")
        self.assertEqual(snapshot(self.db), before, "a run with nothing to do wrote to the index")
        # Touched: read again, found the same; only that file.
        touched = os.path.join(pages, rels[3])
        os.utime(touched, (time.time() + 10, time.time() + 10))
        third = self.index([pages])
        self.assertIn("files: 1 read, 29 unchanged", third.stdout, third)
        self.assertEqual(third.summary["unchanged"], 30, third)
        fourth = self.index([pages])
        self.assertIn("files: 0 read, 30 unchanged", fourth.stdout, fourth)
        # Changed: updated.
        write_html(os.path.join(pages, rels[5]), "Page five, revised", "Completely new text about zymurgy.")
        fifth = self.index([pages])
        self.assertEqual((fifth.summary["updated"], fifth.summary["unchanged"]), (1, 29), fifth)
        # Deleted: kept without --prune, removed with it; only under the PATH given.
        os.remove(os.path.join(pages, rels[7]))
        sixth = self.index([pages])
        self.assertEqual(sixth.summary["unchanged"], 29, sixth)
        other = self.tmp.join("other")
        os.mkdir(other)
        pruned = self.index([other], "--prune")
        self.assertEqual(pruned.returncode, 0, pruned)
        self.assertNotIn("pruned", pruned.stdout, pruned)  # nothing imported under other/
        dry = self.index([pages], "--prune", "--dry-run")
        self.assertIn("would prune", dry.stdout, dry)
        seventh = self.index([pages], "--prune")
        self.assertEqual(seventh.returncode, 0, seventh)
        self.assertIn("1 pruned (1 record removed)", seventh.stdout, seventh)
        daemon = harness.Searchd(self.db).start()
        try:
            self.assertIsNone(self.get_record(daemon, doc_id(rels[7])))
            self.assertIsNotNone(self.get_record(daemon, doc_id(rels[8])))
            total, _ = daemon.search_all({"q": ""})
            self.assertEqual(total, 29)
            rec = self.get_record(daemon, doc_id(rels[5]))
            self.assertEqual(rec["title"], "Page five, revised")
        finally:
            daemon.stop()
        # --delete: the record is gone, and its file is read again by the next run.
        gone = self.index([], "--delete", doc_id(rels[9]))
        self.assertEqual(gone.deletes, {"deleted": 1, "not_found": 0}, gone)
        back = self.index([pages])
        self.assertEqual((back.summary["added"], back.summary["unchanged"]), (1, 28), back)

    def test_records_file_state(self):
        """An XML file's records follow the file: dropped ones are removed, a malformed version
        keeps the old records, a version with a bad record keeps the rest and is read again."""
        def write(path, ids, bad=False):
            recs = "".join("<record><id>%s</id><type>report</type><lang>en</lang><title>Record %s</title>"
                           "</record>\n" % (i, i) for i in ids)
            if bad:
                recs += "<record><id>bad-one</id><type>report</type><lang>en</lang><title>Bad</title>" \
                        "<province>ZZ</province></record>\n"
            with open(path, "w", encoding="utf-8") as f:
                f.write('<?xml version="1.0" encoding="UTF-8"?>\n<records>\n%s</records>\n' % recs)
        src = self.tmp.join("recs")
        os.mkdir(src)
        path = os.path.join(src, "r.xml")
        write(path, ["x-1", "x-2", "x-3"])
        self.assertEqual(self.index([src]).summary["added"], 3)
        write(path, ["x-1", "x-3"])
        run = self.index([src])
        self.assertIn("1 record removed", run.stdout, run)
        self.assertEqual(run.summary["unchanged"], 2, run)
        with open(path, "w") as f:
            f.write("<records><record><id>x-1</id>")  # malformed
        broken = self.index([src])
        self.assertEqual(broken.returncode, 1, broken)
        self.assertNotIn("removed", broken.stdout, broken)
        write(path, ["x-1", "x-3"], bad=True)
        partly = self.index([src])
        self.assertEqual((partly.returncode, partly.summary["unchanged"], partly.summary["failed"]), (1, 2, 1), partly)
        again = self.index([src])  # read again while it has a bad record
        self.assertIn("files: 1 read", again.stdout, again)
        daemon = harness.Searchd(self.db).start()
        try:
            total, hits = daemon.search_all({"q": ""})
            self.assertEqual(sorted(h["id"] for h in hits), ["x-1", "x-3"])
        finally:
            daemon.stop()

    # ---- manifest and flags ----

    def test_manifest(self):
        docs = self.tmp.join("docs")
        os.mkdir(docs)
        for i in range(1, 7):
            with open(os.path.join(docs, "r%d.txt" % i), "w", encoding="utf-8") as f:
                f.write("Plain report %d about internationally educated nurses and their licensure.\n" % i)
        manifest = self.tmp.join("manifest.csv")
        with open(manifest, "w", encoding="utf-8", newline="") as f:
            f.write('path,id,type,lang,title,province,profession,topic,date,organization,author,url,summary\r\n'
                    'docs/r1.txt,report-one,lesson,fr,"Un titre, avec virgule",ON;qc,31301,credential-assessment,'
                    '2021-05,Org A,"Smith, J.",https://example.org/1,"Un ""résumé"""\r\n'
                    'docs/r2.txt,,,,,ZZ,,,,,,,\r\n'                    # line 3: unknown code
                    'docs/missing.txt,,,,,,,,,,,,\r\n'                 # line 4: missing file
                    'docs/r3.txt,,,,,,,,2021-02-30,,,,\r\n'            # line 5: bad date
                    'docs/r4.txt,,,,too few\r\n'                       # line 6: wrong column count
                    '"docs/r5.txt",r5,,en,"Two\r\nlines",BC,,,,,,,\r\n'  # lines 7-8: good
                    'docs/r6.txt,,,,,,,,,,,,\r\n')                     # line 9: good, nothing given
        report = self.tmp.join("report.csv")
        run = self.index([], "--manifest", manifest, "--report", report, "--type", "page", "--province", "AB")
        self.assertEqual(run.returncode, 1, run)
        bad = {3: "ZZ", 4: "missing.txt", 5: "2021-02-30", 6: "fields"}
        for line, words in bad.items():
            msgs = [l for l in run.stderr.splitlines() if l.startswith("%s:%d: " % (manifest, line))]
            self.assertTrue(msgs, "no %s:%d: message in %r" % (manifest, line, run.stderr))
            self.assertIn(words, msgs[0])
        with open(report, newline="", encoding="utf-8") as f:
            rep = list(csv.DictReader(f))
        self.assertEqual(sorted(int(r["line"]) for r in rep if r["path"] == manifest), sorted(bad))
        self.assertEqual(run.summary["added"], 3, run)  # r1, r5, r6
        daemon = harness.Searchd(self.db).start()
        try:
            r1 = self.get_record(daemon, "report-one")
            self.assertIsNotNone(r1)
            self.assertEqual((r1["type"], r1["lang"], r1["title"], r1["province"], r1["profession"], r1["topic"],
                              r1["date"], r1["organization"], r1["author"], r1["url"], r1["summary"]),
                             ("lesson", "fr", "Un titre, avec virgule", ["ON", "QC"], ["31301"],
                              ["credential-assessment"], "2021-05", "Org A", "Smith, J.", "https://example.org/1",
                              'Un "résumé"'))
            r5 = self.get_record(daemon, "r5")
            self.assertEqual((r5["title"], r5["province"], r5["type"]), ("Two lines", ["BC"], "page"))
            r6 = self.get_record(daemon, "docs_r6.txt")  # no id given: its path below the manifest's folder
            self.assertEqual((r6["type"], r6["province"], r6["title"], r6["lang"]), ("page", ["AB"], "r6", "en"))
            for rid in ("docs_r2.txt", "docs_r3.txt", "docs_r4.txt"):
                self.assertIsNone(self.get_record(daemon, rid), rid)
        finally:
            daemon.stop()

    def test_flags_and_metadata(self):
        docs = self.tmp.join("docs")
        os.makedirs(os.path.join(docs, "sub dir"))
        with open(os.path.join(docs, "sub dir", "Évaluation été.txt"), "w", encoding="utf-8") as f:
            f.write("Rapport sur l'évaluation des diplômes des infirmières formées à l'étranger et la "
                    "reconnaissance des acquis au Québec et en Ontario pour les nouveaux arrivants.\n")
        write_html(os.path.join(docs, "meta.html"), "Own title", "Engineers and the licensure of newcomers.",
                   lang="en", author="A. Writer", date="2020-06-01", description="Own description")
        run = self.index([docs], "--type", "lesson", "--lang", "en", "--province", "ON", "--province", "QC,NB",
                         "--topic", "credential-assessment", "--organization", "Flag Org")
        self.assertEqual((run.returncode, run.summary["added"]), (0, 2), run)
        daemon = harness.Searchd(self.db).start()
        try:
            t = self.get_record(daemon, "sub_dir_Evaluation_ete.txt")
            self.assertIsNotNone(t, "derived id")
            self.assertEqual((t["type"], t["province"], t["topic"], t["organization"], t["title"]),
                             ("lesson", ["ON", "QC", "NB"], ["credential-assessment"], "Flag Org", "Évaluation été"))
            self.assertEqual(t["lang"], "en")  # --lang applies to documents that do not say
            self.assertEqual(t["source"], os.path.join(docs, "sub dir", "Évaluation été.txt"))
            m = self.get_record(daemon, "meta.html")
            self.assertEqual((m["title"], m["author"], m["date"], m["summary"], m["lang"]),
                             ("Own title", "A. Writer", "2020-06-01", "Own description", "en"))
        finally:
            daemon.stop()
        # Without --lang, the language is detected.
        db2 = self.tmp.join("index2")
        run2 = harness.run_index(db2, [docs], "--quiet")
        self.assertEqual(run2.returncode, 0, run2)
        daemon = harness.Searchd(db2).start()
        try:
            self.assertEqual(self.get_record(daemon, "sub_dir_Evaluation_ete.txt")["lang"], "fr")
        finally:
            daemon.stop()
        # Changing a flag re-imports the documents it applies to.
        run3 = self.index([docs], "--type", "report")
        self.assertEqual(run3.summary["updated"], 2, run3)
        bad = self.index([docs], "--province", "ZZ")
        self.assertEqual(bad.returncode, 2, bad)

    def test_dry_run_documents(self):
        pages = self.tmp.join("pages")
        make_pages(pages, 5)
        fresh = self.index([pages], "--dry-run")
        self.assertEqual((fresh.returncode, fresh.summary["added"]), (0, 5), fresh)
        self.assertFalse(os.path.exists(self.db) and os.listdir(self.db), "the dry run created the index")
        self.index([pages])
        before = snapshot(self.db)
        write_html(os.path.join(pages, "part-00", "page-00001.html"), "Changed", "Different words.")
        write_html(os.path.join(pages, "part-00", "new.html"), "New", "A new page.")
        dry = self.index([pages], "--dry-run")
        self.assertEqual(dry.returncode, 0, dry)
        self.assertEqual((dry.summary["added"], dry.summary["updated"], dry.summary["unchanged"]), (1, 1, 4), dry)
        self.assertIn("would add", dry.stdout)
        self.assertIn("would update", dry.stdout)
        self.assertEqual(snapshot(self.db), before, "the dry run wrote to the index")
        real = self.index([pages])
        self.assertEqual((real.summary["added"], real.summary["updated"], real.summary["unchanged"]), (1, 1, 4), real)

    def test_id_collisions(self):
        docs = self.tmp.join("docs")
        os.makedirs(os.path.join(docs, "a"))
        for name in ("a b.txt", "a_b.txt", os.path.join("a", "b.txt")):
            with open(os.path.join(docs, name), "w") as f:
                f.write("Collision test text about %s and engineers.\n" % name)
        long_name = "x" * 140 + ".txt"
        with open(os.path.join(docs, long_name), "w") as f:
            f.write("A file with a very long name about nurses.\n")
        run = self.index([docs])
        self.assertEqual((run.returncode, run.summary["added"]), (0, 4), run)
        daemon = harness.Searchd(self.db).start()
        try:
            total, hits = daemon.search_all({"q": ""})
            ids = sorted(h["id"] for h in hits)
            # Walk order: "a/b.txt", "a b.txt", "a_b.txt": the first keeps the id, then -2, -3.
            self.assertEqual(ids[:3], ["a_b.txt", "a_b.txt-2", "a_b.txt-3"], ids)
            self.assertTrue(all(len(i) <= 128 for i in ids), ids)
            self.assertTrue(any(i.startswith("x" * 119 + "-") for i in ids), ids)
        finally:
            daemon.stop()
        again = self.index([docs], "--force")
        self.assertEqual((again.summary["unchanged"], again.summary["added"]), (4, 0), again)



# Any folder of files, as the team checks the importer with files we have not seen: IQN_ANY_FOLDER,
# by default every file of the shared import samples (libxml2's and textract's test suites).
ANY_FOLDER = os.environ.get("IQN_ANY_FOLDER") or SAMPLES
ANY_SAMPLE = int(os.environ.get("IQN_ANY_SAMPLE", "300"))  # documents checked by a phrase search


def all_records(test, daemon):
    """{id: stored record} of every record the daemon serves, in either language."""
    _, hits = daemon.search_all([("lang", "en"), ("lang", "fr")], per_page=100)
    records = {}
    for h in hits:
        status, obj = daemon.get_json("/api/v1/documents/" + urllib.parse.quote(h["id"], safe=""))
        test.assertEqual(status, 200, obj)
        records[h["id"]] = obj["record"]
    return records


def folder_files(top):
    """The files iqn-index reads under top (docs/IMPORT.md): names starting with '.' left out,
    symbolic links to directories not followed."""
    out = []
    for dirpath, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        out += [os.path.join(dirpath, f) for f in files if not f.startswith(".")]
    return sorted(out)


class AnyFolder(unittest.TestCase):
    """iqn-index over any folder: one run, no crash, hang or sanitizer report; every file is either
    indexed or named with a reason (on stderr and in --report); the index passes xapian-check; and
    every indexed document is found by a phrase from its own body. Then the same import killed
    with kill -9 and resumed ends with the same records."""

    def setUp(self):
        if not os.path.isdir(ANY_FOLDER):
            self.skipTest("no folder at %s (set IQN_ANY_FOLDER)" % ANY_FOLDER)
        self.tmp = harness.TempDir(prefix="iqn-any-")

    def tearDown(self):
        self.tmp.close()

    def test_any_folder(self):
        db, report = self.tmp.join("index"), self.tmp.join("report.json")
        top = os.path.abspath(ANY_FOLDER)
        run = harness.run_index(db, [top], "--quiet", "--report", report)
        self.assertIn(run.returncode, (0, 1), run)  # 1: some file could not be read; never 2 or a signal
        self.assertIsNotNone(run.summary, run)
        with open(report, encoding="utf-8") as f:
            reported = json.load(f)
        for row in reported:
            with self.subTest(reported=row["path"]):
                self.assertIn(row["status"], ("failed", "skipped"))
                self.assertTrue(row["reason"].strip(), row)
                self.assertTrue(any(l.startswith(row["path"] + ":") for l in run.stderr.splitlines()),
                                "%s is in the report but not on stderr" % row["path"])
        rc, out = harness.xapian_check(db)
        self.assertEqual(rc, 0, "xapian-check fails on %s:\n%s" % (db, out[-2000:]))

        daemon = harness.Searchd(db).start()
        try:
            records = all_records(self, daemon)
            # Every file given is accounted for: a record came from it, or it is reported.
            sources = {r.get("source") for r in records.values()}
            reported_paths = {row["path"] for row in reported}
            for path in folder_files(top):
                with self.subTest(file=path):
                    self.assertTrue(path in sources or path in reported_paths,
                                    "%s was neither indexed nor reported" % path)
            # Every indexed document is found by a phrase of its body (the least common of a few).
            ids = sorted(records)
            step = max(1, len(ids) // max(1, ANY_SAMPLE))
            checked, missing = 0, []
            for rid in ids[::step]:
                rec = records[rid]
                # Words over 40 bytes are left out (the indexer drops words over 64 bytes).
                body = re.sub(r"\S{41,}", "|", rec.get("body") or "")
                candidates = phrases(body) or phrases(body, n=2) or sorted(set(re.findall(r"\b[A-Za-z]{4,}\b", body)))[:3]
                if not candidates:
                    continue  # no Latin-script words to search for
                totals = []
                for phrase in candidates:
                    q = '"%s"' % phrase if " " in phrase else phrase
                    obj = daemon.search([("q", q), ("lang", "en"), ("lang", "fr"), ("per_page", "1")])
                    totals.append((obj["total"], q))
                total, q = min(totals)
                if total > 2000:
                    continue  # too common to page through
                checked += 1
                _, found = daemon.search_all([("q", q), ("lang", "en"), ("lang", "fr")], per_page=100)
                if rid not in [h["id"] for h in found]:
                    missing.append((rid, q, total))
            self.assertEqual(missing, [], "documents not found by a phrase of their body")
            if any((r.get("body") or "").strip() for r in records.values()):
                self.assertGreater(checked, 0, "no document could be checked by a phrase")
        finally:
            daemon.stop()

    def test_any_folder_kill9(self):
        """Killed (kill -9) at random moments while importing the folder, first while it is built
        in parts and then in place: xapian-check passes after every kill, a re-run completes, and
        the index then holds exactly what an uninterrupted import gives."""
        top = os.path.abspath(ANY_FOLDER)
        clean_db, db = self.tmp.join("clean"), self.tmp.join("killed")
        t0 = time.monotonic()
        clean = harness.run_index(clean_db, [top], "--quiet")
        span = max(1.0, (time.monotonic() - t0) * 1.5)
        self.assertIn(clean.returncode, (0, 1), clean)
        rnd = random.Random(int(os.environ.get("IQN_KILL_SEED", "0")) or None)
        base = [Config.index, "--db", db, "--vocab", Config.vocab_dir(), "--quiet"]
        kills = 0
        for attempt, extra in enumerate(([], [], ["--in-place", "--batch", "20"], ["--in-place", "--batch", "20"])):
            proc = subprocess.Popen(base + extra + [top], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=harness.child_env())
            time.sleep(rnd.uniform(0.05, span * 0.4))  # within the first 60 % of a run
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=600)
            if os.path.isdir(db):
                rc, out = harness.xapian_check(db)
                self.assertEqual(rc, 0, "xapian-check after kill %d:\n%s" % (attempt + 1, out[-3000:]))
        final = harness.run_index(db, [top], "--quiet")
        self.assertEqual(final.returncode, clean.returncode, final)
        rc, out = harness.xapian_check(db)
        self.assertEqual(rc, 0, out[-3000:])
        again = harness.run_index(db, [top], "--quiet")
        self.assertEqual((again.summary["added"], again.summary["updated"]), (0, 0), again)

        def contents(path):
            daemon = harness.Searchd(path).start()
            try:
                return all_records(self, daemon)
            finally:
                daemon.stop()
        want, got = contents(clean_db), contents(db)
        self.assertEqual(sorted(got), sorted(want), "the killed and resumed import holds other records")
        for rid in want:
            self.assertEqual(got[rid], want[rid], rid)
        if kills == 0:
            self.skipTest("every run finished before it could be killed")

if __name__ == "__main__":
    harness.main()
