#!/usr/bin/env python3
"""test_partner.py - the partners' API of iqn-searchd (docs/API.md): API keys made by
`iqn-searchd keys` (hashed store, 401/403, revocation without restart, anonymous = deny), the
write API (JSON Lines, IQN XML, gzip, per-record errors, limits, DELETE, searchable at once,
503 while iqn-index holds the writer lock), rate limits (429 + Retry-After), cursors for deep
paging, complete exports, gzip, ETag/304, CORS, X-Request-Id, /metrics and configuration errors.
Every daemon is stopped with SIGTERM and must exit 0 with a sanitizer-clean stderr."""

import gzip
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

FIXTURES = ("good.xml", "snippet.jsonl")
NDJSON = {"Content-Type": "application/x-ndjson"}
XML = {"Content-Type": "application/xml"}
KEY_RE = re.compile(r"^iqn_[0-9a-f]{12}_[0-9a-f]{64}$")


def keys_cmd(*args):
    """Run `iqn-searchd keys ARGS`; returns (rc, stdout, stderr) after checking for sanitizer reports."""
    proc = subprocess.run([Config.searchd, "keys"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, env=harness.child_env())
    out, err = proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")
    bad = harness.sanitizer_problems(err)
    if bad:
        raise AssertionError("iqn-searchd keys: sanitizer report:\n%s" % "\n".join(bad))
    return proc.returncode, out, err


def make_key(store, name, scope):
    rc, out, err = keys_cmd("create", "--name", name, "--scope", scope, "--keys", store)
    if rc != 0:
        raise AssertionError("keys create failed (%d): %s" % (rc, err))
    return out.strip()


def bearer(key, extra=None):
    h = {"Authorization": "Bearer " + key}
    h.update(extra or {})
    return h


def record(rid, title, **kw):
    r = {"id": rid, "type": "report", "lang": "en", "title": title}
    r.update(kw)
    return r


def ndjson(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def key_id(key):
    return key[4:16]


class PartnerBase(unittest.TestCase):
    """An index of the fixtures, a key store with a read and a write key, and a daemon."""

    extra = ()
    threads = 4
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.TempDir()
        cls.db = cls.tmp.join("index")
        run = harness.run_index(cls.db, [Config.fixture(f) for f in FIXTURES])
        if run.returncode != 0:
            raise AssertionError("indexing failed: %r" % run)
        cls.store = cls.tmp.join("keys")
        cls.read_key = make_key(cls.store, "Reader One", "read")
        cls.write_key = make_key(cls.store, "Writer One", "write")
        cls.daemon = harness.Searchd(cls.db, "--keys-file", cls.store, *cls.extra, threads=cls.threads).start()

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.daemon:
                cls.daemon.stop()
        finally:
            if cls.tmp:
                cls.tmp.close()

    def post(self, body, headers, key=None):
        h = dict(headers)
        if key is not None:
            h.update(bearer(key))
        status, hdrs, data = self.daemon.request("POST", "/api/v1/documents", body=body, headers=h)
        return status, hdrs, json.loads(data.decode("utf-8")) if data else None

    def hold_writer_lock(self):
        """Start iqn-index reading records from a pipe: it holds the index's writer lock until the pipe
        closes. Returns (process, headers, body) once a write was answered 503, so the lock is surely held
        (an iqn-index that lost the race for the lock to one of our writes exits at once: start another)."""
        deadline = time.monotonic() + 120
        proc = None
        while True:
            if proc is None or proc.poll() is not None:
                proc = subprocess.Popen([Config.index, "--db", self.db, "--vocab", Config.vocab_dir(), "-"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        env=harness.child_env())
                time.sleep(0.5)
            status, hdrs, obj = self.post(ndjson([record("lock-probe", "Lock probe")]), NDJSON, key=self.write_key)
            if status == 503:
                return proc, hdrs, obj
            self.assertEqual(status, 200, obj)
            if time.monotonic() > deadline:
                proc.kill()
                proc.communicate()
                self.fail("iqn-index never took the writer lock")
            time.sleep(0.2)

    def error(self, status, data, want_status, want_code=None):
        self.assertEqual(status, want_status, data[:300])
        obj = json.loads(data.decode("utf-8"))
        self.assertEqual(obj["error"]["status"], want_status)
        if want_code:
            self.assertEqual(obj["error"]["code"], want_code)
        return obj


class Keys(PartnerBase):
    """Key store and authentication."""

    def test_store_keeps_only_hashes(self):
        self.assertRegex(self.read_key, KEY_RE)
        self.assertRegex(self.write_key, KEY_RE)
        mode = stat.S_IMODE(os.stat(self.store).st_mode)
        self.assertEqual(mode, 0o600)
        text = open(self.store, encoding="utf-8").read()
        for key in (self.read_key, self.write_key):
            self.assertNotIn(key[17:], text, "the secret must not be stored")
            self.assertIn(key_id(key), text)
        rc, out, _ = keys_cmd("list", "--keys", self.store)
        self.assertEqual(rc, 0)
        self.assertIn("Reader One", out)
        self.assertIn("Writer One", out)
        self.assertNotIn(self.read_key[17:], out)

    def test_keys_command_errors(self):
        for args in (["create", "--name", "x", "--scope", "admin", "--keys", self.store],
                     ["create", "--name", "bad\nname", "--scope", "read", "--keys", self.store],
                     ["create", "--scope", "read", "--keys", self.store],
                     ["revoke", "--keys", self.store],
                     ["frobnicate", "--keys", self.store],
                     ["list"]):
            with self.subTest(args=args):
                rc, out, err = keys_cmd(*args)
                self.assertNotEqual(rc, 0)
                self.assertEqual(out, "")
                self.assertIn("iqn-searchd keys", err)
        rc, _, err = keys_cmd("revoke", "000000000000", "--keys", self.store)
        self.assertEqual(rc, 1)
        self.assertIn("no key", err)

    def test_anonymous_reads(self):
        status, obj = self.daemon.get_json("/api/v1/search", {"q": "echidnafixture"})
        self.assertEqual(status, 200)
        self.assertGreaterEqual(obj["total"], 1)

    def test_read_key_reads(self):
        status, hdrs, data = self.daemon.request("GET", "/api/v1/search?q=echidnafixture", headers=bearer(self.read_key))
        self.assertEqual(status, 200)

    def test_wrong_keys_401(self):
        wrong = self.read_key[:-1] + ("0" if self.read_key[-1] != "0" else "1")
        cases = [("wrong-secret", "Bearer " + wrong), ("unknown-id", "Bearer iqn_000000000000_" + "ab" * 32),
                 ("garbage", "Bearer hello"), ("empty", "Bearer "), ("basic", "Basic dXNlcjpwYXNz"),
                 ("no-scheme", self.read_key)]
        for case, value in cases:
            with self.subTest(case=case):
                status, hdrs, data = self.daemon.request("GET", "/api/v1/search", headers={"Authorization": value})
                self.error(status, data, 401, "unauthorized")
                self.assertIn("Bearer", hdrs.get("www-authenticate", ""))

    def test_write_needs_write_scope(self):
        body = ndjson([record("scope-test", "Scope test")])
        status, hdrs, obj = self.post(body, NDJSON)
        self.assertEqual(status, 401)
        self.assertIn("Bearer", hdrs.get("www-authenticate", ""))
        status, hdrs, obj = self.post(body, NDJSON, key=self.read_key)
        self.assertEqual(status, 403)
        self.assertEqual(obj["error"]["code"], "insufficient_scope")
        status, hdrs, data = self.daemon.request("DELETE", "/api/v1/documents/fixture-xml-1",
                                                 headers=bearer(self.read_key))
        self.assertEqual(status, 403)
        status, obj = self.daemon.get_json("/api/v1/documents/fixture-xml-1")
        self.assertEqual(status, 200, "the record must still be there")

    def test_revocation_without_restart(self):
        key = make_key(self.store, "Short lived", "write")
        status, _, _ = self.daemon.request("GET", "/api/v1/facets", headers=bearer(key))
        self.assertEqual(status, 200)
        rc, _, err = keys_cmd("revoke", key_id(key), "--keys", self.store)
        self.assertEqual(rc, 0, err)
        status, hdrs, data = self.daemon.request("GET", "/api/v1/facets", headers=bearer(key))
        obj = self.error(status, data, 401, "unauthorized")
        self.assertIn("revoked", obj["error"]["message"])
        status, _, _ = self.post(ndjson([record("revoked-write", "Revoked")]), NDJSON, key=key)
        self.assertEqual(status, 401)
        rc, out, _ = keys_cmd("list", "--keys", self.store)
        self.assertRegex(out, key_id(key) + r".*revoked")
        # the other keys still work
        status, _, _ = self.daemon.request("GET", "/api/v1/facets", headers=bearer(self.read_key))
        self.assertEqual(status, 200)


class AnonymousDeny(PartnerBase):
    extra = ("--anonymous", "deny")

    def test_anonymous_denied_on_api_only(self):
        status, hdrs, data = self.daemon.get("/api/v1/search", {"q": "echidnafixture"})
        self.error(status, data, 401, "unauthorized")
        self.assertIn("Bearer", hdrs.get("www-authenticate", ""))
        status, _, _ = self.daemon.request("GET", "/api/v1/search?q=echidnafixture", headers=bearer(self.read_key))
        self.assertEqual(status, 200)
        self.assertEqual(self.daemon.get("/healthz")[0], 200)


class WriteApi(PartnerBase):
    extra = ("--max-body", "64k", "--max-inflated", "256k", "--write-wait", "1")

    def search_ids(self, q):
        obj = self.daemon.search({"q": q, "lang": ["en", "fr"], "per_page": "100"})
        return {h["id"] for h in obj["hits"]}

    def test_jsonl_counts_and_errors(self):
        records = [record("w-ok-1", "Platypusword first"),
                   {"id": "w-bad-type", "type": "memo", "lang": "en", "title": "x"},
                   record("w-ok-2", "Platypusword second", province=["ON"]),
                   {"id": "w-bad-prov", "type": "report", "lang": "en", "title": "x", "province": ["ZZ"]}]
        body = ndjson(records) + b"this is not json\n\n" + ndjson([{"type": "report"}])
        start = time.monotonic()
        status, hdrs, obj = self.post(body, NDJSON, key=self.write_key)
        self.assertEqual(status, 200, obj)
        self.assertEqual((obj["added"], obj["updated"], obj["unchanged"], obj["failed"]), (2, 0, 0, 4))
        errs = {e["line"]: e for e in obj["errors"]}
        self.assertEqual(sorted(errs), [2, 4, 5, 7])
        self.assertEqual(errs[2]["id"], "w-bad-type")
        self.assertIn("memo", errs[2]["message"])
        self.assertIn("ZZ", errs[4]["message"])
        self.assertIsNone(errs[5]["id"])
        # searchable within one second of the answer
        while self.search_ids("platypusword") != {"w-ok-1", "w-ok-2"}:
            self.assertLess(time.monotonic() - start, 1.0 + 5.0, "written records not searchable")
            time.sleep(0.05)
        status, obj = self.daemon.get_json("/api/v1/documents/w-ok-2")
        self.assertEqual(obj["record"]["province"], ["ON"])
        self.assertEqual(obj["record"]["source"], "api:Writer One")
        # the same again: unchanged; a change: updated
        status, _, obj = self.post(ndjson([record("w-ok-1", "Platypusword first")]), NDJSON, key=self.write_key)
        self.assertEqual((obj["added"], obj["updated"], obj["unchanged"]), (0, 0, 1))
        status, _, obj = self.post(ndjson([record("w-ok-1", "Platypusword first, changed")]), NDJSON,
                                   key=self.write_key)
        self.assertEqual((obj["added"], obj["updated"], obj["unchanged"]), (0, 1, 0))

    def test_written_searchable_within_one_second(self):
        status, _, obj = self.post(ndjson([record("w-fast", "Numbatword quick")]), NDJSON, key=self.write_key)
        self.assertEqual(status, 200)
        t0 = time.monotonic()
        self.assertEqual(self.search_ids("numbatword"), {"w-fast"})
        self.assertLess(time.monotonic() - t0, 1.0)

    def test_all_failed_is_422(self):
        status, _, obj = self.post(b'{"id":"x"}\n', NDJSON, key=self.write_key)
        self.assertEqual(status, 422)
        self.assertEqual(obj["failed"], 1)
        self.assertEqual(obj["errors"][0]["line"], 1)

    def test_xml_and_gzip(self):
        xml = ("<?xml version='1.0' encoding='UTF-8'?><records>\n"
               "<record><id>w-xml-1</id><type>report</type><lang>fr</lang><title>Rapport dugongmot</title>"
               "<province>QC</province></record>\n"
               "<record><id>w-xml-2</id><type>report</type><lang>fr</lang><title>t</title><colour>red</colour>"
               "</record>\n</records>\n").encode("utf-8")
        status, _, obj = self.post(gzip.compress(xml), dict(XML, **{"Content-Encoding": "gzip"}), key=self.write_key)
        self.assertEqual(status, 200, obj)
        self.assertEqual((obj["added"], obj["failed"]), (1, 1))
        self.assertEqual(obj["errors"][0]["id"], "w-xml-2")
        self.assertEqual(obj["errors"][0]["line"], 3)
        self.assertIn("colour", obj["errors"][0]["message"])
        self.assertEqual(self.search_ids("dugongmot"), {"w-xml-1"})
        status, _, obj = self.post(b"<records><record>", XML, key=self.write_key)
        self.assertEqual(status, 422)
        self.assertIn("malformed XML", obj["errors"][0]["message"])

    def test_body_limits(self):
        big = ndjson([record("w-big-%d" % i, "x" * 200) for i in range(400)])  # > 64 KiB
        status, _, obj = self.post(big, NDJSON, key=self.write_key)
        self.assertEqual(status, 413)
        self.assertEqual(obj["error"]["code"], "too_large")
        bomb = gzip.compress(b" " * (4 * 1024 * 1024))  # 4 MiB of blanks, a few KiB compressed
        self.assertLess(len(bomb), 64 * 1024)
        status, _, obj = self.post(bomb, dict(NDJSON, **{"Content-Encoding": "gzip"}), key=self.write_key)
        self.assertEqual(status, 413)
        status, _, obj = self.post(b"\x1f\x8b not gzip", dict(NDJSON, **{"Content-Encoding": "gzip"}),
                                   key=self.write_key)
        self.assertEqual(status, 400)
        status, _, obj = self.post(b"  \n\n", NDJSON, key=self.write_key)
        self.assertEqual(status, 400)
        self.assertEqual(obj["error"]["code"], "empty_body")
        for headers in ({"Content-Type": "text/plain"}, {}, dict(NDJSON, **{"Content-Encoding": "br"})):
            with self.subTest(headers=headers):
                status, _, obj = self.post(b"{}", headers, key=self.write_key)
                self.assertEqual(status, 415)

    def test_delete(self):
        self.post(ndjson([record("w-del", "Quollword doomed")]), NDJSON, key=self.write_key)
        self.assertEqual(self.search_ids("quollword"), {"w-del"})
        status, hdrs, data = self.daemon.request("DELETE", "/api/v1/documents/w-del", headers=bearer(self.write_key))
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data), {"deleted": True, "id": "w-del"})
        self.assertEqual(self.search_ids("quollword"), set())
        self.assertEqual(self.daemon.get("/api/v1/documents/w-del")[0], 404)
        status, _, data = self.daemon.request("DELETE", "/api/v1/documents/w-del", headers=bearer(self.write_key))
        self.error(status, data, 404, "not_found")
        status, _, data = self.daemon.request("DELETE", "/api/v1/documents/bad%20id", headers=bearer(self.write_key))
        self.error(status, data, 400, "bad_parameter")

    def test_methods(self):
        status, hdrs, data = self.daemon.request("PUT", "/api/v1/documents", body=b"", headers=bearer(self.write_key))
        self.error(status, data, 405, "method_not_allowed")
        self.assertIn("POST", hdrs.get("allow", ""))
        status, hdrs, data = self.daemon.request("GET", "/api/v1/documents")
        self.assertEqual(status, 404)

    def test_locked_by_indexer(self):
        """iqn-index holding the writer lock: writes wait write_wait, then 503 + Retry-After; searches go on;
        once iqn-index is done the write goes through and nothing is lost."""
        proc, hdrs, obj = self.hold_writer_lock()
        try:
            self.assertEqual(obj["error"]["code"], "index_locked")
            self.assertTrue(hdrs.get("retry-after", "").isdigit())
            self.assertEqual(self.daemon.search({"q": "echidnafixture"})["total"], 1)
            out, err = proc.communicate(ndjson([record("w-from-index", "Bilbyword indexed")]), timeout=120)
            self.assertEqual(proc.returncode, 0, err)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        status, _, obj = self.post(ndjson([record("w-lock", "Bilbyword locked")]), NDJSON, key=self.write_key)
        self.assertEqual(status, 200, obj)
        self.assertEqual(self.search_ids("bilbyword"), {"w-lock", "w-from-index"})

    def test_concurrent_writes_and_searches(self):
        errors = []

        def writer(n):
            for i in range(5):
                status, _, obj = self.post(ndjson([record("w-conc-%d-%d" % (n, i), "Wallabyword %d %d" % (n, i))]),
                                           NDJSON, key=self.write_key)
                if status != 200 or obj["added"] != 1:
                    errors.append((status, obj))

        def reader():
            for _ in range(20):
                status, _, _ = self.daemon.get("/api/v1/search", {"q": "wallabyword"})
                if status != 200:
                    errors.append(status)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)] + \
                  [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(self.daemon.search({"q": "wallabyword", "per_page": "100"})["total"], 15)


class WritesDoNotBlockSearches(PartnerBase):
    """One server thread: a write waiting for iqn-index's lock runs on its own thread, so searches on
    the same server thread are answered meanwhile."""

    threads = 1
    extra = ("--write-wait", "4")

    def test_search_while_write_waits(self):
        result = {}
        proc, _, _ = self.hold_writer_lock()
        try:
            t0 = time.monotonic()
            status, _, _ = self.post(ndjson([record("nb-1", "Kiwiword")]), NDJSON, key=self.write_key)
            self.assertEqual(status, 503)
            self.assertGreater(time.monotonic() - t0, 3.0, "503 before write_wait")

            def write():
                result["status"] = self.post(ndjson([record("nb-2", "Kiwiword")]), NDJSON, key=self.write_key)[0]

            t = threading.Thread(target=write)
            t.start()
            time.sleep(0.3)
            for _ in range(5):
                t0 = time.monotonic()
                self.assertEqual(self.daemon.search({"q": "echidnafixture"})["total"], 1)
                self.assertLess(time.monotonic() - t0, 2.0, "a search waited for the write")
            self.assertTrue(t.is_alive(), "the write should still be waiting for the lock")
            t.join(60)
            self.assertEqual(result.get("status"), 503)
        finally:
            proc.communicate(b"", timeout=120)


class RateLimits(PartnerBase):
    extra = ("--rate-exempt", "", "--anon-rate", "1", "--anon-burst", "5", "--read-rate", "1", "--read-burst", "3")

    def test_anonymous_429(self):
        statuses = []
        for _ in range(8):
            status, hdrs, data = self.daemon.get("/api/v1/facets")
            statuses.append(status)
            if status == 429:
                obj = json.loads(data)
                self.assertEqual(obj["error"]["code"], "rate_limited")
                self.assertTrue(1 <= int(hdrs["retry-after"]) <= 2)
        self.assertIn(429, statuses)
        self.assertEqual(statuses[0], 200)
        # health checks are never limited
        self.assertEqual(self.daemon.get("/healthz")[0], 200)
        # each key has its own bucket
        ok = [self.daemon.request("GET", "/api/v1/facets", headers=bearer(self.read_key))[0] for _ in range(5)]
        self.assertEqual(ok[:3], [200, 200, 200])
        self.assertIn(429, ok[3:])
        status, _, _ = self.daemon.request("GET", "/api/v1/facets", headers=bearer(self.write_key))
        self.assertEqual(status, 200)
        time.sleep(2.2)
        self.assertEqual(self.daemon.get("/api/v1/facets")[0], 200)


class Paging(unittest.TestCase):
    """Deep paging with cursors over more than 10 000 records, and complete exports."""

    N = 10120

    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.TempDir()
        cls.db = cls.tmp.join("index")
        path = cls.tmp.join("many.jsonl")
        harness.write_jsonl(path, [record("p-%05d" % i, "Pangolinword number %d" % i, date="2020-01-%02d" % (i % 28 + 1))
                                   for i in range(cls.N)])
        run = harness.run_index(cls.db, [path])
        if run.returncode != 0:
            raise AssertionError("indexing failed: %r" % run)
        cls.daemon = harness.Searchd(cls.db, threads=2).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.daemon.stop()
        finally:
            cls.tmp.close()

    def test_cursor_past_page_100(self):
        params = {"q": "pangolinword", "sort": "date", "per_page": "100"}
        status, hdrs, data = self.daemon.get("/api/v1/search", dict(params, page="102"))
        self.assertEqual(status, 400)
        self.assertIn("cursor", json.loads(data)["error"]["message"])
        seen, cursor, pages = [], None, 0
        while True:
            p = dict(params)
            if cursor:
                p["cursor"] = cursor
            obj = self.daemon.search(p)
            seen += [h["id"] for h in obj["hits"]]
            pages += 1
            cursor = obj["next_cursor"]
            if not cursor:
                break
            self.assertLess(pages, 200)
        self.assertEqual(pages, 102)
        self.assertEqual(len(seen), self.N)
        self.assertEqual(len(set(seen)), self.N)
        self.assertEqual(obj["page"], 102)

    def test_bad_cursors(self):
        obj = self.daemon.search({"q": "pangolinword", "per_page": "5"})
        cursor = obj["next_cursor"]
        self.assertTrue(cursor)
        cases = [("other-query", {"q": "other", "cursor": cursor}),
                 ("other-filter", {"q": "pangolinword", "lang": "en", "cursor": cursor}),
                 ("other-sort", {"q": "pangolinword", "sort": "-date", "cursor": cursor}),
                 ("garbage", {"q": "pangolinword", "cursor": "not-a-cursor"}),
                 ("flipped", {"q": "pangolinword", "cursor": cursor[:-1] + ("A" if cursor[-1] != "A" else "B")}),
                 ("with-page", {"q": "pangolinword", "cursor": cursor, "page": "2"})]
        for case, params in cases:
            with self.subTest(case=case):
                status, hdrs, data = self.daemon.get("/api/v1/search", params)
                self.assertEqual(status, 400, data[:200])
                self.assertEqual(json.loads(data)["error"]["parameter"], "cursor")
        obj2 = self.daemon.search({"q": "pangolinword", "per_page": "7", "cursor": cursor})  # page size may change
        self.assertEqual(len(obj2["hits"]), 7)

    def test_complete_exports(self):
        for fmt in ("jsonl", "csv"):
            with self.subTest(format=fmt):
                for enc in (None, "gzip"):
                    headers = {"Accept-Encoding": enc} if enc else {}
                    status, hdrs, data = self.daemon.request("GET", "/api/v1/search?q=pangolinword&format=" + fmt,
                                                             headers=headers)
                    self.assertEqual(status, 200)
                    if enc:
                        self.assertEqual(hdrs.get("content-encoding"), "gzip")
                        data = gzip.decompress(data)
                    else:
                        self.assertNotIn("content-encoding", hdrs)
                    lines = data.decode("utf-8").splitlines()
                    self.assertEqual(len(lines), self.N + (1 if fmt == "csv" else 0))
                    self.assertEqual(int(hdrs["x-total-count"]), self.N)


class HttpCitizenship(PartnerBase):
    extra = ("--cors-origins", "https://partner.example.ca, http://localhost:3000")

    def test_gzip(self):
        status, hdrs, data = self.daemon.request("GET", "/api/v1/search?q=echidnafixture",
                                                 headers={"Accept-Encoding": "gzip, deflate"})
        self.assertEqual(status, 200)
        self.assertEqual(hdrs.get("content-encoding"), "gzip")
        self.assertIn("Accept-Encoding", hdrs.get("vary", ""))
        obj = json.loads(gzip.decompress(data))
        self.assertGreaterEqual(obj["total"], 1)
        for ae in (None, "gzip;q=0", "identity", "br"):
            with self.subTest(accept_encoding=ae):
                status, hdrs, data = self.daemon.request("GET", "/api/v1/search?q=echidnafixture",
                                                         headers={"Accept-Encoding": ae} if ae else {})
                self.assertNotIn("content-encoding", hdrs)
                json.loads(data)
        status, hdrs, data = self.daemon.request("GET", "/healthz", headers={"Accept-Encoding": "gzip"})
        self.assertNotIn("content-encoding", hdrs, "small bodies are sent as they are")
        status, hdrs, data = self.daemon.request("GET", "/app.js", headers={"Accept-Encoding": "gzip"})
        if status == 200 and len(data) > 0 and hdrs.get("content-encoding") == "gzip":
            gzip.decompress(data)

    def test_etag_304(self):
        path = "/api/v1/search?q=echidnafixture&lang=en&lang=fr"
        status, hdrs, data = self.daemon.request("GET", path)
        etag = hdrs.get("etag")
        self.assertTrue(etag and etag.startswith('W/"'), hdrs)
        status, hdrs2, data2 = self.daemon.request("GET", path, headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertEqual(data2, b"")
        self.assertEqual(hdrs2.get("etag"), etag)
        status, hdrs3, _ = self.daemon.request("GET", path + "&page=1")
        self.assertNotEqual(hdrs3.get("etag"), etag, "another request, another tag")
        status, hdrs, _ = self.daemon.request("GET", "/api/v1/documents/fixture-xml-1")
        doc_tag = hdrs["etag"]
        self.assertEqual(self.daemon.request("GET", "/api/v1/documents/fixture-xml-1",
                                             headers={"If-None-Match": doc_tag})[0], 304)
        # a write makes a new revision: the old tags no longer match
        status, _, _ = self.post(ndjson([record("etag-bump", "Etag bump")]), NDJSON, key=self.write_key)
        self.assertEqual(status, 200)
        status, hdrs, _ = self.daemon.request("GET", path, headers={"If-None-Match": etag})
        self.assertEqual(status, 200)
        self.assertNotEqual(hdrs.get("etag"), etag)

    def test_cors(self):
        origin = "https://partner.example.ca"
        status, hdrs, _ = self.daemon.request("GET", "/api/v1/search?q=x", headers={"Origin": origin})
        self.assertEqual(hdrs.get("access-control-allow-origin"), origin)
        self.assertIn("Origin", hdrs.get("vary", ""))
        status, hdrs, _ = self.daemon.request("GET", "/api/v1/search?q=x", headers={"Origin": "https://evil.example"})
        self.assertNotIn("access-control-allow-origin", hdrs)
        pre = {"Origin": origin, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": "authorization, content-type"}
        status, hdrs, data = self.daemon.request("OPTIONS", "/api/v1/documents", headers=pre)
        self.assertEqual(status, 204)
        self.assertEqual(hdrs.get("access-control-allow-origin"), origin)
        self.assertIn("POST", hdrs.get("access-control-allow-methods", ""))
        self.assertIn("Authorization", hdrs.get("access-control-allow-headers", ""))
        status, hdrs, data = self.daemon.request("OPTIONS", "/api/v1/search",
                                                 headers=dict(pre, Origin="https://evil.example"))
        self.assertEqual(status, 403)
        self.assertNotIn("access-control-allow-origin", hdrs)

    def test_request_id(self):
        status, hdrs, _ = self.daemon.request("GET", "/healthz", headers={"X-Request-Id": "partner-abc.123"})
        self.assertEqual(hdrs.get("x-request-id"), "partner-abc.123")
        for bad in ("has space", "x" * 65, "semi;colon", "quote\"d"):
            with self.subTest(bad=bad):
                status, hdrs, _ = self.daemon.request("GET", "/healthz", headers={"X-Request-Id": bad})
                self.assertRegex(hdrs.get("x-request-id", ""), r"^[0-9a-f]{32}$")
        ids = {self.daemon.request("GET", "/api/v1/nothing")[1]["x-request-id"] for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_security_headers(self):
        for path in ("/api/v1/search?q=x", "/healthz", "/api/v1/nothing", "/metrics"):
            with self.subTest(path=path):
                status, hdrs, _ = self.daemon.request("GET", path)
                self.assertEqual(hdrs.get("x-content-type-options"), "nosniff")
                self.assertIn("content-security-policy", hdrs)
                self.assertIn("referrer-policy", hdrs)

    def test_metrics(self):
        self.daemon.get("/api/v1/search", {"q": "echidnafixture"})
        self.daemon.get("/api/v1/search", {"page": "0"})
        deadline = time.monotonic() + 5
        while True:  # a request is counted once its response is sent: maybe just after the client read it
            status, hdrs, data = self.daemon.request("GET", "/metrics")
            self.assertEqual(status, 200)
            text = data.decode("utf-8")
            if 'endpoint="search",status="400"' in text or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertTrue(hdrs["content-type"].startswith("text/plain"))
        self.assertRegex(text, r'iqn_http_requests_total\{endpoint="search",status="200"\} [1-9]')
        self.assertRegex(text, r'iqn_http_requests_total\{endpoint="search",status="400"\} [1-9]')
        self.assertRegex(text, r'iqn_http_request_duration_seconds_bucket\{endpoint="search",le="\+Inf"\} [1-9]')
        self.assertRegex(text, r'iqn_http_request_duration_seconds_count\{endpoint="search"\} [1-9]')
        self.assertRegex(text, r"\niqn_index_documents [4-9]\n")
        self.assertRegex(text, r"\niqn_index_revision [1-9]\d*\n")
        m = re.search(r"\niqn_index_size_bytes (\d+)\n", text)
        self.assertTrue(m and int(m.group(1)) > 1000)
        self.assertRegex(text, r'iqn_errors_total\{kind="internal"\} 0')
        self.assertRegex(text, r"\niqn_api_keys_active [2-9]")
        for line in text.splitlines():  # the exposition format, line by line
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$')


class Configuration(unittest.TestCase):
    """Invalid settings are refused at start with a message naming them; the config file works."""

    def run_searchd(self, *args):
        proc = subprocess.run([Config.searchd] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120, env=harness.child_env())
        return proc.returncode, proc.stderr.decode("utf-8", "replace")

    def test_bad_settings(self):
        cases = [("anonymous", ["--anonymous", "maybe"], "allow or deny"),
                 ("deny-without-keys", ["--anonymous", "deny"], "keys_file"),
                 ("origin", ["--cors-origins", "partner.example"], "origin"),
                 ("origin-path", ["--cors-origins", "https://a.example/x"], "origin"),
                 ("exempt", ["--rate-exempt", "localhost"], "IP address"),
                 ("max-body", ["--max-body", "12"], "max-body"),
                 ("anon-rate", ["--anon-rate", "-1"], "anon-rate"),
                 ("write-wait", ["--write-wait", "9999"], "write-wait"),
                 ("request-timeout", ["--request-timeout", "0"], "request-timeout")]
        tmp = harness.TempDir()
        try:
            for case, args, needle in cases:
                with self.subTest(case=case):
                    rc, err = self.run_searchd("--db", tmp.path, *args)
                    self.assertEqual(rc, 2, err)
                    self.assertIn(needle, err)
            conf = tmp.join("iqn-searchd.conf")
            with open(conf, "w") as f:
                f.write("db = %s\nanonymous = sometimes\n" % tmp.path)
            rc, err = self.run_searchd("--config", conf)
            self.assertEqual(rc, 2)
            self.assertIn("iqn-searchd.conf:2", err)
        finally:
            tmp.close()

    def test_config_file_and_keys(self):
        tmp = harness.TempDir()
        try:
            db = tmp.join("index")
            run = harness.run_index(db, [Config.fixture("good.xml")])
            self.assertEqual(run.returncode, 0)
            conf = tmp.join("iqn-searchd.conf")
            with open(conf, "w") as f:
                f.write("db = %s\nkeys_file = %s\nanonymous = deny\nmax_body = 1m\n" % (db, tmp.join("keys")))
            rc, out, err = keys_cmd("create", "--name", "From config", "--scope", "read", "--config", conf)
            self.assertEqual(rc, 0, err)
            key = out.strip()
            daemon = harness.Searchd(db, "--config", conf).start()
            try:
                self.assertEqual(daemon.get("/api/v1/facets")[0], 401)
                self.assertEqual(daemon.request("GET", "/api/v1/facets", headers=bearer(key))[0], 200)
            finally:
                daemon.stop()
            # a flag overrides the file
            daemon = harness.Searchd(db, "--config", conf, "--anonymous", "allow").start()
            try:
                self.assertEqual(daemon.get("/api/v1/facets")[0], 200)
            finally:
                daemon.stop()
        finally:
            tmp.close()

    def test_example_config_is_valid(self):
        example = Config.path("searchd", "iqn-searchd.conf.example")
        tmp = harness.TempDir()
        try:
            conf = tmp.join("c.conf")
            text = open(example, encoding="utf-8").read()
            text = re.sub(r"(?m)^db = .*$", "db = %s" % tmp.path, text)
            text = re.sub(r"(?m)^keys_file = .*$", "keys_file = %s" % tmp.join("keys"), text)
            with open(conf, "w") as f:
                f.write(text)
            run = harness.run_index(tmp.join("index"), [Config.fixture("good.xml")])
            self.assertEqual(run.returncode, 0)
            daemon = harness.Searchd(tmp.join("index"), "--config", conf).start()  # every line is checked
            daemon.stop()
            rc, out, err = keys_cmd("list", "--config", conf)
            self.assertEqual(rc, 0, err)
        finally:
            tmp.close()


if __name__ == "__main__":
    harness.main()
