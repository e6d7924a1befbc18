#!/usr/bin/env python3
"""test_api.py - the HTTP surface of iqn-searchd on a small index (tests/fixtures): every bad
parameter answers 400 with a JSON error naming it; unknown paths 404; wrong methods 405;
documents/{id}; facets; healthz; static files and path traversal; exports; a burst of bad
requests leaves the daemon answering correctly; SIGTERM exits cleanly (checked at teardown)."""

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

FIXTURES = ("good.xml", "snippet.jsonl")
FIXTURE_IDS = {"fixture-xml-1", "fixture-xml-2", "fixture-snippet-xss", "fixture-snippet-attr"}

# (case id, raw query string, the parameter the error must name)
BAD_PARAMS = [
    ("unknown-province", "province=ZZ", "province"),
    ("unknown-province-2", "province=ON&province=XX", "province"),
    ("unknown-topic", "topic=astrology", "topic"),
    ("unknown-profession", "profession=99999", "profession"),
    ("unknown-type", "type=memo", "type"),
    ("unknown-lang", "lang=de", "lang"),
    ("bad-month", "from=2021-13", "from"),
    ("bad-day", "to=2021-02-30", "to"),
    ("bad-date-text", "from=yesterday", "from"),
    ("bad-date-short", "from=21", "from"),
    ("from-after-to", "from=2022&to=2020", "from"),
    ("per-page-huge", "per_page=100000", "per_page"),
    ("per-page-zero", "per_page=0", "per_page"),
    ("per-page-negative", "per_page=-1", "per_page"),
    ("per-page-text", "per_page=ten", "per_page"),
    ("page-zero", "page=0", "page"),
    ("page-text", "page=abc", "page"),
    ("page-negative", "page=-2", "page"),
    ("page-too-deep", "page=100000000&per_page=100", "page"),
    ("q-invalid-utf8", "q=%FF", "q"),
    ("q-overlong-utf8", "q=%C0%AF", "q"),
    ("q-oversize", "q=" + "a" * 1025, "q"),
    ("q-repeated", "q=a&q=b", "q"),
    ("unknown-param", "colour=red", "colour"),
    ("unknown-param-2", "q=nurses&provinc=ON", "provinc"),
    ("bad-sort", "sort=sideways", "sort"),
    ("bad-ui-lang", "ui_lang=de", "ui_lang"),
    ("bad-format", "format=xml", "format"),
    ("province-invalid-utf8", "province=%FF", "province"),
    ("per-page-101", "per_page=101", "per_page"),
    ("page-repeated", "page=1&page=2", "page"),
    ("sort-repeated", "sort=date&sort=-date", "sort"),
    ("from-repeated", "from=2019&from=2020", "from"),
    ("q-nul", "q=a%00b", "q"),
    ("province-nul", "province=ON%00", "province"),
    ("from-leap", "from=2021-02-29", "from"),
    ("to-month-0", "to=2021-00", "to"),
]


class Api(unittest.TestCase):
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        harness.index_and_serve(cls, [Config.fixture(f) for f in FIXTURES], threads=4)

    @classmethod
    def tearDownClass(cls):
        harness.stop_and_clean(cls)

    def assert_error(self, status, hdrs, body, want_status, param=None, what=""):
        self.assertEqual(status, want_status, "%s: status %s body %r" % (what, status, body[:300]))
        self.assertTrue(hdrs.get("content-type", "").startswith("application/json"),
                        "%s: content type %r" % (what, hdrs.get("content-type")))
        obj = json.loads(body.decode("utf-8"))
        err = obj["error"]
        self.assertEqual(err["status"], want_status, what)
        self.assertTrue(err["code"], what)
        self.assertTrue(err["message"], what)
        if want_status == 400:
            self.assertEqual(err["code"], "bad_parameter", what)
        if param is not None:
            self.assertEqual(err.get("parameter"), param, "%s: %r" % (what, err))
        return err

    # ---- search parameters ----

    def test_bad_parameters(self):
        for case, query, param in BAD_PARAMS:
            with self.subTest(case=case):
                status, hdrs, body = self.daemon.get("/api/v1/search?" + query)
                self.assert_error(status, hdrs, body, 400, param, case)

    def test_bad_value_quoted_safely(self):
        status, hdrs, body = self.daemon.get("/api/v1/search?province=%3Cscript%3E")
        err = self.assert_error(status, hdrs, body, 400, "province")
        self.assertIn("province", err["message"])

    def test_good_parameters(self):
        good = ["", "q=report", "province=ab", "province=AB&province=SK", "topic=credential-assessment",
                "profession=21300", "type=report&lang=fr", "from=2019&to=2019-12-31", "from=2019-11&to=2019-11",
                "sort=date", "sort=-date", "sort=relevance", "page=1&per_page=100", "ui_lang=fr", "ui_lang=en",
                "q=", "q=%C3%A9valuation", "q=" + "a" * 1024, "format=json"]
        for query in good:
            with self.subTest(query=query):
                status, hdrs, body = self.daemon.get("/api/v1/search?" + query)
                self.assertEqual(status, 200, body[:300])
                obj = json.loads(body)
                self.assertIn("hits", obj)
                self.assertTrue(hdrs.get("content-type", "").startswith("application/json"))

    def test_facet_filters_on_fixtures(self):
        # fixture-xml-1 (en) and fixture-xml-2 (fr) are a pair: one shows, in the UI language,
        # unless languages are selected.
        obj = self.daemon.search([("province", "AB")])
        self.assertEqual({h["id"] for h in obj["hits"]}, {"fixture-xml-1"})
        obj = self.daemon.search([("province", "AB"), ("ui_lang", "fr")])
        self.assertEqual({h["id"] for h in obj["hits"]}, {"fixture-xml-2"})
        obj = self.daemon.search([("province", "AB"), ("lang", "en"), ("lang", "fr")])
        self.assertEqual({h["id"] for h in obj["hits"]}, {"fixture-xml-1", "fixture-xml-2"})
        obj = self.daemon.search([("province", "SK"), ("province", "NU")])
        self.assertEqual({h["id"] for h in obj["hits"]}, {"fixture-xml-1", "fixture-snippet-xss"})
        obj = self.daemon.search([("province", "AB"), ("lang", "fr")])
        self.assertEqual([h["id"] for h in obj["hits"]], ["fixture-xml-2"])
        prov = {r["value"]: (r["count"], r["selected"]) for r in obj["facets"]["province"]}
        self.assertEqual(prov, {"AB": (1, True)})  # lang=fr applied; province's own selection left out
        lang = {r["value"]: (r["count"], r["selected"]) for r in obj["facets"]["lang"]}
        self.assertEqual(lang, {"en": (1, False), "fr": (1, True)})

    # ---- other endpoints ----

    def test_unknown_paths_404(self):
        for path in ("/api/v1/nothing", "/api/v2/search", "/api/v1/", "/api/v1/search/extra",
                     "/no-such-file.html", "/api"):
            with self.subTest(path=path):
                status, hdrs, body = self.daemon.get(path)
                self.assertEqual(status, 404, "%s: %r" % (path, body[:200]))
                if path.startswith("/api/"):
                    self.assert_error(status, hdrs, body, 404, None, path)

    def test_post_search_405(self):
        status, hdrs, body = self.daemon.request("POST", "/api/v1/search", body=b"q=x",
                                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assert_error(status, hdrs, body, 405, None, "POST search")
        self.assertIn("GET", hdrs.get("allow", "GET"))
        for method in ("PUT", "DELETE", "PATCH"):
            with self.subTest(method=method):
                status, hdrs, body = self.daemon.request(method, "/api/v1/search")
                self.assertEqual(status, 405)

    def test_document(self):
        status, obj = self.daemon.get_json("/api/v1/documents/fixture-xml-2")
        self.assertEqual(status, 200)
        rec = obj["record"]
        self.assertEqual(rec["id"], "fixture-xml-2")
        self.assertEqual(rec["lang"], "fr")
        self.assertEqual(rec["title"], "Rapport echidnafixture sur l’évaluation des diplômes")
        self.assertEqual(rec["province"], ["AB"])
        self.assertEqual(rec["pair"], "fixture-xml-1")
        self.assertEqual(obj["labels"]["province"], {"AB": "Alberta"})
        self.assertEqual(obj["labels"]["topic"], {"credential-assessment": "Credential assessment"})
        status, obj = self.daemon.get_json("/api/v1/documents/fixture-xml-2?ui_lang=fr")
        self.assertEqual(status, 200)
        self.assertEqual(obj["labels"]["topic"], {"credential-assessment": "Évaluation des diplômes"})
        self.assertEqual(obj["labels"]["profession"]["21300"], "Ingénieurs civils/ingénieures civiles")
        # The body is part of the document.
        status, obj = self.daemon.get_json("/api/v1/documents/fixture-snippet-xss")
        self.assertEqual(status, 200)
        self.assertIn("quokkavalidation again", obj["record"]["body"])

    def test_document_missing_and_bad(self):
        status, hdrs, body = self.daemon.get("/api/v1/documents/no-such-record")
        self.assert_error(status, hdrs, body, 404, None, "missing document")
        for bad in ("bad%20id", "bad!id", "%FF", "a" * 129, "%2e%2e%2fCMakeLists.txt"):
            with self.subTest(id=bad):
                status, hdrs, body = self.daemon.get("/api/v1/documents/" + bad)
                self.assertIn(status, (400, 404), body[:200])
                if status == 400:
                    self.assert_error(status, hdrs, body, 400, None, bad)
        status, hdrs, body = self.daemon.get("/api/v1/documents/bad!id")
        self.assert_error(status, hdrs, body, 400, "id", "bad!id")
        status, hdrs, body = self.daemon.get("/api/v1/documents/fixture-xml-1?colour=red")
        self.assert_error(status, hdrs, body, 400, "colour", "unknown parameter on documents")

    def test_facets_endpoint(self):
        vocab = harness.load_vocab()
        for lang, i in (("en", 0), ("fr", 1)):
            status, obj = self.daemon.get_json("/api/v1/facets?ui_lang=" + lang)
            self.assertEqual(status, 200)
            for facet in harness.FACETS:
                rows = obj[facet]
                self.assertEqual([r["value"] for r in rows], list(vocab[facet].keys()), facet)
                for r in rows:
                    self.assertEqual(r["label"], vocab[facet][r["value"]][i])
        status, obj = self.daemon.get_json("/api/v1/facets")
        self.assertEqual(len(obj["province"]), 14)
        self.assertEqual(len(obj["profession"]), 516)

    def test_healthz(self):
        status, obj = self.daemon.get_json("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(obj["status"], "ok")
        self.assertEqual(obj["documents"], len(FIXTURE_IDS))

    # ---- static files ----

    def test_static_root(self):
        status, hdrs, body = self.daemon.get("/")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs.get("content-type", "").startswith("text/html"), hdrs.get("content-type"))
        with open(os.path.join(Config.web_dir(), "index.html"), "rb") as f:
            self.assertEqual(body, f.read())
        self.assertIn(b"<html", body.lower())

    def test_static_file(self):
        status, hdrs, body = self.daemon.get("/app.js")
        self.assertEqual(status, 200)
        self.assertIn("javascript", hdrs.get("content-type", ""))
        with open(os.path.join(Config.web_dir(), "app.js"), "rb") as f:
            self.assertEqual(body, f.read())

    def test_traversal(self):
        must_404 = ["/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/%2E%2E/CMakeLists.txt",
                    "/..%2fCMakeLists.txt", "/%2e%2e%2fCMakeLists.txt", "/../../etc/passwd",
                    "/%2e%2e/%2e%2e/etc/passwd", "/web/../CMakeLists.txt", "/./../CMakeLists.txt"]
        others = ["/..\\CMakeLists.txt", "/%2e%2e%5cCMakeLists.txt", "//etc/passwd", "/%00index.html",
                  "/index.html%00.txt", "/.git/config", "/%2e%2e", "/.."]
        secret = b"cmake_minimum_required"
        for path in must_404:
            with self.subTest(path=path):
                status, _, body = self.daemon.get(path)
                self.assertNotIn(secret, body)
                self.assertNotIn(b"root:x:", body)
                self.assertEqual(status, 404, "%s answered %s" % (path, status))
        for path in others:
            with self.subTest(path=path):
                status, _, body = self.daemon.get(path)
                self.assertNotIn(secret, body)
                self.assertNotIn(b"root:x:", body)
                self.assertNotIn(b"[core]", body)
                self.assertIn(status, (400, 403, 404), "%s answered %s" % (path, status))

    # ---- exports ----

    def test_export_jsonl(self):
        status, hdrs, body = self.daemon.get("/api/v1/search?format=jsonl&province=AB&lang=en&lang=fr")
        self.assertEqual(status, 200)
        lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
        self.assertEqual({r["id"] for r in lines}, {"fixture-xml-1", "fixture-xml-2"})
        status, hdrs, body = self.daemon.get("/api/v1/search?format=jsonl&ui_lang=fr")
        lines = [json.loads(line) for line in body.decode("utf-8").splitlines() if line.strip()]
        # Every match, the EN/FR pair shown once (in French here).
        self.assertEqual({r["id"] for r in lines}, FIXTURE_IDS - {"fixture-xml-1"})

    def test_export_csv(self):
        status, hdrs, body = self.daemon.get("/api/v1/search?format=csv&q=echidnafixture&lang=en&lang=fr")
        self.assertEqual(status, 200)
        self.assertIn("csv", hdrs.get("content-type", ""))
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        self.assertIn("id", rows[0])
        col = rows[0].index("id")
        self.assertEqual({r[col] for r in rows[1:] if r}, {"fixture-xml-1", "fixture-xml-2"})

    def test_export_bad_param(self):
        status, hdrs, body = self.daemon.get("/api/v1/search?format=csv&province=ZZ")
        self.assert_error(status, hdrs, body, 400, "province", "export with a bad code")

    # ---- robustness ----

    def test_burst_of_bad_requests(self):
        before = self.daemon.search([("q", "echidnafixture"), ("lang", "en"), ("lang", "fr")])
        self.assertEqual(before["total"], 2)
        paths = []
        for i in range(200):
            case, query, param = BAD_PARAMS[i % len(BAD_PARAMS)]
            kind = i % 5
            if kind == 0:
                paths.append(("GET", "/api/v1/search?" + query, 400))
            elif kind == 1:
                paths.append(("GET", "/api/v1/documents/x%d!" % i, 400))
            elif kind == 2:
                paths.append(("GET", "/%2e%2e/CMakeLists.txt", 404))
            elif kind == 3:
                paths.append(("POST", "/api/v1/search", 405))
            else:
                paths.append(("GET", "/api/v1/search?q=%FF%FE" + "x" * (i * 7 % 2000), 400))
        for method, path, want in paths:
            status, _, _ = self.daemon.request(method, path, body=b"" if method == "POST" else None)
            self.assertEqual(status, want, "%s %s" % (method, path[:80]))
        after = self.daemon.search([("q", "echidnafixture"), ("lang", "en"), ("lang", "fr")])
        self.assertEqual([h["id"] for h in after["hits"]], [h["id"] for h in before["hits"]])
        self.assertEqual(after["facets"], before["facets"])
        status, obj = self.daemon.get_json("/healthz")
        self.assertEqual(status, 200)

    def test_head_healthz(self):
        status, hdrs, body = self.daemon.request("HEAD", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")


class Lifecycle(unittest.TestCase):
    """Starting and stopping the daemon."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.TempDir()
        cls.db = cls.tmp.join("index")
        run = harness.run_index(cls.db, [Config.fixture("good.xml")])
        if run.returncode != 0:
            raise AssertionError("indexing failed: %r" % run)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.close()

    def test_sigterm_under_load(self):
        daemon = harness.Searchd(self.db, threads=2).start()
        stop = threading.Event()
        answered = []

        def client():
            while not stop.is_set():
                try:
                    status, _, _ = daemon.get("/api/v1/search", [("q", "echidnafixture")])
                    answered.append(status)
                except OSError:
                    return

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 30
            while len(answered) < 20 and time.monotonic() < deadline:
                time.sleep(0.05)
            rc, err = daemon.stop()  # asserts exit 0 and a sanitizer-clean stderr
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertEqual(rc, 0)
        self.assertGreaterEqual(len(answered), 20)
        self.assertEqual(set(answered), {200})

    def test_two_daemons_one_index(self):
        a = harness.Searchd(self.db).start()
        try:
            b = harness.Searchd(self.db).start()
            try:
                self.assertNotEqual(a.port, b.port)
                self.assertEqual(a.search([("q", "echidnafixture")])["total"],
                                 b.search([("q", "echidnafixture")])["total"])
            finally:
                b.stop()
        finally:
            a.stop()

    def run_searchd(self, *args):
        proc = subprocess.run([Config.searchd] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=60, env=harness.child_env())
        err = proc.stderr.decode("utf-8", "replace")
        self.assertFalse(harness.sanitizer_problems(err), err)
        return proc.returncode, proc.stdout.decode("utf-8", "replace"), err

    def test_missing_index(self):
        missing = self.tmp.join("no-index-here")
        rc, out, err = self.run_searchd("--db", missing, "--listen", "127.0.0.1:0", "--vocab", Config.vocab_dir(),
                                        "--web", Config.web_dir(), "--quiet")
        self.assertNotEqual(rc, 0)
        self.assertIn(missing, err)
        self.assertNotIn("listening", out)

    def test_usage_errors(self):
        base = ["--vocab", Config.vocab_dir(), "--web", Config.web_dir(), "--quiet"]
        for args in (["--listen", "127.0.0.1:0"], ["--db", self.db, "--listen", "127.0.0.1:99999"],
                     ["--db", self.db, "--listen", "nonsense"], ["--db", self.db, "--bogus"],
                     ["--db", self.db, "--threads", "-3", "--listen", "127.0.0.1:0"]):
            with self.subTest(args=args):
                rc, out, err = self.run_searchd(*(args + base))
                self.assertEqual(rc, 2, err)
                self.assertTrue(err.strip())
                self.assertNotIn("listening", out)


if __name__ == "__main__":
    harness.main()
