"""test_extract.py - the document extractors through iqn-extract: token recall against the
expected text of the textract samples (HTML, DOCX, ODT, PDF, TXT, and gzip copies), libxml2's messy
HTML without a crash, refusals with the right reason (truncated archives and PDFs, an encrypted
PDF, a zip bomb, deeply nested XML), the isolated helper's limits (crash, abort, hang, CPU spin,
memory, simulated with IQN_EXTRACT_TEST_HOOK), charsets, and the English/French detector's
accuracy on the bilingual blog.

Token recall = |expected tokens & extracted tokens| / |expected tokens| over lower-cased word
tokens (runs of Unicode letters and digits) counted as multisets, summed over the files of a
format. Run: test_extract.py --extract PATH [--index PATH --searchd PATH] [--source DIR]."""

import collections
import gzip
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import unittest
import zipfile

import harness
from harness import Config, TempDir

EXTRACT = ""
RECALL_FLOOR = 0.95   # every supported format, micro-averaged over its files
LANG_FLOOR = 0.98     # share of the bilingual blog's Markdown posts detected right


def data_dir(*parts):
    return os.path.join(os.path.dirname(Config.source), "shared", "data", *parts)


TEXTRACT = lambda *p: data_dir("import-samples", "textract", "tests", *p)  # noqa: E731
STANDARD = "the quick brown fox jumps over the lazy dog"

# (format, document, expected text file or None for the standardized sentence)
RECALL_CASES = [
    ("html", "html/raw_text.html", "html/raw_text.txt"),
    ("html", "html/tables.html", "html/tables.txt"),
    ("html", "html/standardized_text.html", None),
    ("docx", "docx/raw_text.docx", "docx/raw_text.txt"),
    ("docx", "docx/paragraphs_and_tables.docx", "docx/paragraphs_and_tables.txt"),
    ("docx", "docx/standardized_text.docx", None),
    ("docx", "no_ext/docx_paragraphs_and_tables", "docx/paragraphs_and_tables.txt"),
    ("odt", "odt/raw_text.odt", "odt/raw_text.txt"),
    ("odt", "odt/standardized_text.odt", None),
    ("odt", "doc/standardized_text_1.odt", None),
    ("pdf", "pdf/raw_text.pdf", "pdf/raw_text.txt"),
    ("pdf", "pdf/two_column.pdf", "pdf/two_column.txt"),
    ("pdf", "pdf/standardized_text.pdf", None),
    ("pdf", "no_ext/pdf_standardized_text", None),
    ("txt", "txt/raw_text.txt", "txt/raw_text.txt"),
    ("txt", "txt/standardized_text.txt", None),
]
# Scanned pages: the expected text comes from OCR, which is out of scope; the right outcome is the
# reason below, not text.
UNREADABLE = [("pdf/ocr_text.pdf", "no text (image-only PDF?)")]


def tokens(text):
    return re.findall(r"[^\W_]+", text.lower())


def run_extract(path, *opts, env=None, timeout=120, stdin=None):
    """Run iqn-extract; returns (returncode, parsed JSON or None, stderr). Fails on a sanitizer
    report or a death by signal."""
    e = harness.child_env()
    if env:
        e.update(env)
    proc = subprocess.run([EXTRACT] + list(opts) + [path], input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=e)
    err = proc.stderr.decode("utf-8", "replace")
    bad = harness.sanitizer_problems(err)
    if bad:
        raise AssertionError("sanitizer report for %s:\n%s" % (path, "\n".join(bad[:20])))
    if proc.returncode < 0:
        raise AssertionError("iqn-extract died of signal %d on %s" % (-proc.returncode, path))
    doc = json.loads(proc.stdout.decode("utf-8")) if proc.returncode == 0 else None
    return proc.returncode, doc, err


def skipped_reason(err):
    m = re.search(r": skipped: (.*)", err)
    return m.group(1).strip() if m else err.strip()


class Recall(unittest.TestCase):
    def test_token_recall_per_format(self):
        per_format = collections.defaultdict(lambda: [0, 0, 0, 0])  # hit, total, set hit, set total
        rows = []
        tmp = TempDir()
        try:
            for fmt, doc, expected in RECALL_CASES:
                want = STANDARD if expected is None else open(TEXTRACT(expected), encoding="utf-8").read()
                # Each document, then a gzip copy of it: the same text must come out.
                gz = tmp.join(os.path.basename(doc) + ".gz")
                with open(TEXTRACT(doc), "rb") as f, gzip.open(gz, "wb") as g:
                    g.write(f.read())
                for path, label in ((TEXTRACT(doc), doc), (gz, doc + ".gz")):
                    rc, out, err = run_extract(path)
                    self.assertEqual(rc, 0, "%s: %s" % (label, err))
                    got = collections.Counter(tokens(out["text"]))
                    exp = collections.Counter(tokens(want))
                    hit = sum((got & exp).values())
                    total = sum(exp.values())
                    shit = len(set(got) & set(exp))
                    acc = per_format[fmt]
                    acc[0] += hit
                    acc[1] += total
                    acc[2] += shit
                    acc[3] += len(exp)
                    rows.append((fmt, label, hit / total if total else 1.0, shit / len(exp) if exp else 1.0))
        finally:
            tmp.close()
        print("\n%-5s %-44s %8s %8s" % ("fmt", "file", "recall", "set"))
        for fmt, label, r, rs in rows:
            print("%-5s %-44s %8.3f %8.3f" % (fmt, label, r, rs))
        print("%-5s %-44s %8s %8s   (floor %.2f on the multiset recall)" % ("fmt", "ALL FILES", "recall", "set",
                                                                           RECALL_FLOOR))
        low = []
        for fmt in sorted(per_format):
            hit, total, shit, stotal = per_format[fmt]
            r = hit / total
            print("%-5s %-44s %8.3f %8.3f" % (fmt, "", r, shit / stotal))
            if r < RECALL_FLOOR:
                low.append("%s %.3f" % (fmt, r))
        self.assertFalse(low, "token recall below %.2f: %s" % (RECALL_FLOOR, ", ".join(low)))

    def test_scanned_pdf_is_refused_with_reason(self):
        for doc, reason in UNREADABLE:
            rc, _, err = run_extract(TEXTRACT(doc))
            self.assertEqual(rc, 1)
            self.assertEqual(skipped_reason(err), reason)

    def test_metadata(self):
        rc, out, err = run_extract(TEXTRACT("pdf/two_column.pdf"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out["title"], "The role of mentorship in protégé performance")
        self.assertEqual(out["author"], "R. Dean Malmgren")
        self.assertEqual(out["date"], "2010-05-25")
        rc, out, err = run_extract(TEXTRACT("docx/raw_text.docx"))
        self.assertEqual((out["author"], out["date"]), ("Dean Malmgren", "2014-07-04"))
        rc, out, err = run_extract(TEXTRACT("odt/raw_text.odt"))
        self.assertEqual((out["author"], out["date"]), ("evan", "2012-01-17"))


class MessyHtml(unittest.TestCase):
    def test_libxml2_html_samples_do_not_crash(self):
        folder = data_dir("import-samples", "libxml2", "test", "HTML")
        names = sorted(os.listdir(folder))
        self.assertGreater(len(names), 40)
        outcomes = collections.Counter()
        for name in names:
            rc, out, err = run_extract(os.path.join(folder, name), "--format", "html")
            self.assertIn(rc, (0, 1), name)
            if rc == 1:
                self.assertIn(": skipped: ", err, name)
            outcomes["text" if rc == 0 else skipped_reason(err)] += 1
        print("\nlibxml2 test/HTML: %d files: %s" % (len(names), dict(outcomes)))

    def test_malformed_xml_samples_as_html_do_not_crash(self):
        folder = data_dir("import-samples", "libxml2", "test", "errors")
        for name in sorted(os.listdir(folder)):
            rc, _, err = run_extract(os.path.join(folder, name), "--format", "html")
            self.assertIn(rc, (0, 1), name)


class TempCase(unittest.TestCase):
    """A test with a temporary directory to write its inputs into."""

    def setUp(self):
        self.tmp = TempDir()

    def tearDown(self):
        self.tmp.close()

    def write(self, name, data):
        path = self.tmp.join(name)
        with open(path, "wb") as f:
            f.write(data)
        return path


class HtmlRules(TempCase):
    """Table of small pages: id, bytes, expected fields (text is compared exactly)."""
    CASES = [
        ("chrome-left-out",
         b"<html lang='fr-CA'><head><title> Le  titre </title><meta name='author' content='A. Auteur'>"
         b"<meta name='description' content='Un r\xc3\xa9sum\xc3\xa9'><meta name='dc.date' content='2021-03-04T10:00'>"
         b"<style>p{}</style><script>var x=1;</script></head><body><nav>Menu</nav><header>Banni\xc3\xa8re</header>"
         b"<div role='navigation'>Liens</div><form>Chercher</form><aside>Pub</aside>"
         b"<main><article><header><h1>Premier</h1></header><p>Un <b>texte</b> ici.</p><p>Second&nbsp;para.</p>"
         b"</article></main><noscript>JS</noscript><template>T</template><footer>Pied</footer></body></html>",
         {"title": "Le titre", "author": "A. Auteur", "summary": "Un résumé", "date": "2021-03-04", "lang": "fr",
          "text": "Premier\n\nUn texte ici.\n\nSecond para."}),
        ("latin1-declared",
         b"<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'></head>"
         b"<body><p>caf\xe9 \x93quoted\x94</p></body></html>",
         {"text": "café “quoted”"}),
        ("meta-charset-utf8",
         b"<!DOCTYPE html><meta charset=\"utf-8\"><title>x</title><p>\xc3\xa9t\xc3\xa9<br>ligne</p>",
         {"title": "x", "text": "été\nligne"}),
        ("undeclared-cp1252",
         b"<p>Qu\xe9bec \x96 Montr\xe9al</p>", {"text": "Québec – Montréal"}),
        ("xhtml",
         b"<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE html PUBLIC '-//W3C//DTD XHTML 1.0 Strict//EN' "
         b"'http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd'>\n<html xmlns='http://www.w3.org/1999/xhtml' "
         b"xml:lang='en'><head><title>X</title></head><body><p>One<br/>two</p><div><![CDATA[ignored?]]>"
         b"</div><ul><li>a</li><li>b</li></ul></body></html>",
         {"title": "X", "lang": "en"}),
        ("table-and-pre",
         b"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table><pre>x  y\nz</pre>",
         {"text": "a b\nc\n\nx y\nz"}),
        ("og-title-and-published-time",
         b"<head><meta property='og:title' content='OG'><meta property='article:published_time' "
         b"content='2019-11-02'></head><body><p>t</p></body>",
         {"title": "OG", "date": "2019-11-02"}),
    ]

    def test_cases(self):
        for cid, page, want in self.CASES:
            rc, out, err = run_extract(self.write(cid + ".html", page))
            self.assertEqual(rc, 0, "%s: %s" % (cid, err))
            for k, v in want.items():
                self.assertEqual(out[k], v, "%s: %s" % (cid, k))
            if cid == "xhtml":
                self.assertTrue(out["text"].startswith("One\ntwo"), out["text"])
                self.assertTrue(out["text"].endswith("a\n\nb"), out["text"])


class PlainText(TempCase):
    CASES = [
        ("utf8-bom-crlf", b"\xef\xbb\xbfline one\r\nline two\r\n\r\n\r\npara two\r", "line one\nline two\n\npara two"),
        ("cp1252", b"caf\xe9 \x80 na\xefve\n", "café € naïve"),
        ("utf16le-bom", "été\r\nl'hiver\n\nfin".encode("utf-16"), "été\nl'hiver\n\nfin"),
        ("utf16be-bom", b"\xfe\xff" + "Québec".encode("utf-16-be"), "Québec"),
        ("cr-only", b"a\rb\r\rc", "a\nb\n\nc"),
    ]

    def test_cases(self):
        for cid, data, want in self.CASES:
            path = self.write(cid + ".txt", data)
            rc, out, err = run_extract(path, "--format", "text")
            self.assertEqual(rc, 0, "%s: %s" % (cid, err))
            self.assertEqual(out["text"], want, cid)
            # Detection alone must call it text too (not binary data).
            rc, out, err = run_extract(path)
            self.assertEqual(rc, 0, "%s (detected): %s" % (cid, err))


def docx_bytes(document_xml, extra=None, compress=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        if document_xml is not None:
            z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def patch_declared_size(data, name, size):
    """Set the uncompressed size of entry name in its local and central ZIP headers."""
    data = bytearray(data)
    for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(sig)
        while at >= 0:
            if data[at + name_at:at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(sig, at + 4)
    return bytes(data)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


class Refusals(TempCase):
    """Broken and hostile files: each is refused with the reason a person can act on."""

    def reason(self, path, *opts):
        rc, _, err = run_extract(path, *opts)
        self.assertEqual(rc, 1, "%s was not refused" % path)
        return skipped_reason(err)

    def test_truncated_archives_and_pdf(self):
        for src, name, want in (("docx/raw_text.docx", "cut.docx", "DOCX: damaged or truncated ZIP archive"),
                                ("odt/raw_text.odt", "cut.odt", "ODT: damaged or truncated ZIP archive"),
                                ("pdf/raw_text.pdf", "cut.pdf", None)):
            data = open(TEXTRACT(src), "rb").read()
            for keep in (len(data) // 2, 200):
                path = self.write(name, data[:keep])
                for opts in ((), ("--isolated",)):
                    rc, out, err = run_extract(path, *opts)
                    if want:
                        self.assertEqual(rc, 1, name)
                        self.assertTrue(skipped_reason(err).startswith(want), err)
                    else:
                        self.assertEqual(rc, 1, name)
                        self.assertEqual(skipped_reason(err), "malformed PDF: PDF document is damaged")

    def test_encrypted_pdf(self):
        qpdf = shutil.which("qpdf")
        if not qpdf:
            self.skipTest("qpdf is not installed (./iqn installs it)")
        out = self.tmp.join("locked.pdf")
        proc = subprocess.run([qpdf, "--encrypt", "user-pw", "owner-pw", "256", "--", TEXTRACT("pdf/raw_text.pdf"),
                               out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertIn(proc.returncode, (0, 3), proc.stdout)  # 3: done, with warnings
        self.assertEqual(self.reason(out), "PDF is encrypted")
        self.assertEqual(self.reason(out, "--isolated"), "PDF is encrypted")

    def test_pdf_module_missing(self):
        # PDF support is the module iqn-pdf.so, loaded with the first PDF: without it a PDF is a
        # reason naming the module, in process and in the helper, and other formats still work.
        env = {"IQN_PDF_MODULE": self.tmp.join("no-such-iqn-pdf.so")}
        for opts in ((), ("--isolated",)):
            rc, _, err = run_extract(TEXTRACT("pdf/raw_text.pdf"), *opts, env=env)
            self.assertEqual(rc, 1, err)
            self.assertIn("cannot load the PDF module", skipped_reason(err))
            rc, out, err = run_extract(TEXTRACT("docx/raw_text.docx"), *opts, env=env)
            self.assertEqual(rc, 0, err)
            self.assertIn("I love word documents.", out["text"])

    def test_zip_bomb(self):
        # 300 MiB of one repeated paragraph compresses to a few hundred KiB.
        para = "<w:p><w:r><w:t>boom</w:t></w:r></w:p>" * 1000
        body = '<w:document %s><w:body>%s</w:body></w:document>' % (W, para * 8200)
        path = self.write("bomb.docx", docx_bytes(body))
        self.assertLess(os.path.getsize(path), 4 * 1024 * 1024)
        self.assertIn("ZIP entry too large (possible zip bomb)", self.reason(path))
        # Smaller than the size cap but compressed more than 200:1.
        body = '<w:document %s><w:body>%s</w:body></w:document>' % (W, para * 100)
        path = self.write("ratio.docx", docx_bytes(body))
        self.assertIn("possible zip bomb", self.reason(path))
        # An entry that lies about its size in both headers is stopped where the lie shows.
        data = patch_declared_size(docx_bytes(body), b"word/document.xml", 1000)
        path = self.write("liar.docx", data)
        self.assertEqual(self.reason(path),
                         "ZIP entry too large (possible zip bomb): word/document.xml is larger than declared")

    def test_deep_nesting(self):
        depth = 5000
        body = '<w:document %s><w:body>%s<w:p><w:r><w:t>deep</w:t></w:r></w:p>%s</w:body></w:document>' % (
            W, "<w:sdt>" * depth, "</w:sdt>" * depth)
        path = self.write("deep.docx", docx_bytes(body))
        self.assertIn("XML nested too deeply", self.reason(path))
        odt = io.BytesIO()
        with zipfile.ZipFile(odt, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", '<o:document-content xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
                       '<o:body>%s</o:body></o:document-content>' % ("<x>" * depth + "</x>" * depth))
        path = self.write("deep.odt", odt.getvalue())
        self.assertIn("XML nested too deeply", self.reason(path))

    def test_missing_main_part_and_entities(self):
        path = self.write("empty.docx", docx_bytes(None, {"word/other.xml": "<x/>"}))
        self.assertEqual(self.reason(path, "--format", "docx"), "DOCX: no word/document.xml")
        # Entities are neither expanded nor fetched: a "billion laughs" with an external entity is
        # refused at its DOCTYPE, quickly.
        lol = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
               + "".join('<!ENTITY %s "%s">' % (chr(98 + i), ("&%s;" % chr(97 + i)) * 10) for i in range(8))
               + '<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
               '<w:document %s><w:body><w:p><w:r><w:t>ok &i; &ext;</w:t></w:r></w:p></w:body></w:document>' % W)
        path = self.write("lol.docx", docx_bytes(lol))
        t0 = time.time()
        rc, out, err = run_extract(path)
        self.assertLess(time.time() - t0, 30)
        self.assertEqual(rc, 1)
        self.assertEqual(skipped_reason(err), "DOCTYPE (entity declarations) not allowed in word/document.xml")

    def test_not_documents(self):
        self.assertEqual(self.reason(self.write("x.bin", b"\x00\x01\x02binary")),
                         "binary data: not a supported document format")
        self.assertEqual(self.reason(self.write("empty.html", b"<html><body>  </body></html>")),
                         "no text in the document")
        self.assertEqual(self.reason(self.write("zero.html", b"")), "no text in the document")


class Isolation(unittest.TestCase):
    """The helper process: same result as in process; a crash, an abort, a hang, a CPU spin and
    memory exhaustion (made to happen by IQN_EXTRACT_TEST_HOOK) each come back as a reason."""

    def test_same_result_isolated(self):
        for doc in ("docx/raw_text.docx", "pdf/two_column.pdf", "html/tables.html", "odt/raw_text.odt"):
            _, a, _ = run_extract(TEXTRACT(doc))
            rc, b, err = run_extract(TEXTRACT(doc), "--isolated")
            self.assertEqual(rc, 0, err)
            self.assertEqual(a, b, doc)

    def hooked(self, hook, *opts):
        t0 = time.time()
        rc, _, err = run_extract(TEXTRACT("pdf/raw_text.pdf"), "--isolated", *opts,
                                 env={"IQN_EXTRACT_TEST_HOOK": hook})
        self.assertEqual(rc, 1, err)
        return skipped_reason(err), time.time() - t0

    def test_crash(self):
        reason, _ = self.hooked("crash")
        self.assertTrue(reason.startswith("extractor crashed (signal 11, SIGSEGV"), reason)
        reason, _ = self.hooked("abort")
        self.assertTrue(reason.startswith("extractor crashed (signal 6, SIGABRT"), reason)

    def test_hang_and_spin(self):
        reason, took = self.hooked("hang", "--seconds", "2")
        self.assertEqual(reason, "extraction took longer than 2 s")
        self.assertLess(took, 15)
        reason, took = self.hooked("spin", "--seconds", "1")
        self.assertEqual(reason, "extraction took longer than 1 s")
        self.assertLess(took, 15)

    def test_out_of_memory(self):
        reason, _ = self.hooked("oom", "--memory", "64")
        self.assertTrue(reason.startswith("extraction ran out of memory (limit 64 MiB"), reason)

    def test_hook_by_name(self):
        # The hook only hits names containing the text after the colon.
        rc, out, err = run_extract(TEXTRACT("pdf/raw_text.pdf"), "--isolated",
                                   env={"IQN_EXTRACT_TEST_HOOK": "crash:some-other-file"})
        self.assertEqual(rc, 0, err)


def strip_front_matter(text):
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end >= 0:
            return text[text.find("\n", end + 1) + 1:]
    return text


class Language(unittest.TestCase):
    def test_bilingual_blog_accuracy(self):
        blog = data_dir("bilingual-blog")
        results = collections.Counter()
        wrong = []
        other = collections.Counter()
        for lang in ("en", "fr"):
            for root, _, files in os.walk(os.path.join(blog, lang)):
                for name in sorted(files):
                    path = os.path.join(root, name)
                    if name.endswith(".md"):
                        body = strip_front_matter(open(path, encoding="utf-8").read())
                        rc, out, err = run_extract("-", "--format", "text", stdin=body.encode("utf-8"))
                        got = out["detected_lang"] if rc == 0 else None
                        results[(lang, got == lang)] += 1
                        if got != lang:
                            wrong.append("%s: %s" % (os.path.relpath(path, blog), got))
                    elif name.endswith(".html"):
                        rc, out, err = run_extract(path)
                        other[(lang, out["detected_lang"] if rc == 0 else "no text")] += 1
        total = sum(results.values())
        right = results[("en", True)] + results[("fr", True)]
        print("\nlanguage detection on the bilingual blog's Markdown posts: %d/%d = %.4f "
              "(en %d/%d, fr %d/%d)" % (right, total, right / total, results[("en", True)],
                                        results[("en", True)] + results[("en", False)], results[("fr", True)],
                                        results[("fr", True)] + results[("fr", False)]))
        print("HTML files (redirect stubs, mostly without text): %s" % dict(other))
        for w in wrong:
            print("  wrong: " + w)
        self.assertGreater(total, 100)
        self.assertGreaterEqual(right / total, LANG_FLOOR)


def main():
    global EXTRACT
    args = sys.argv
    if "--extract" in args:
        i = args.index("--extract")
        EXTRACT = args[i + 1]
        del args[i:i + 2]
    EXTRACT = EXTRACT or os.environ.get("IQN_EXTRACT", "")
    if not EXTRACT or not os.access(EXTRACT, os.X_OK):
        print("test_extract: --extract %r is not an executable" % EXTRACT)
        print("0 passed, 1 failed")
        sys.exit(2)
    harness.main()


if __name__ == "__main__":
    main()
