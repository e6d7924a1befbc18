#!/usr/bin/env python3
"""Shards and replicas, as a partner would run them.

- iqn-index --shards 3 writes a sharded index; iqn-searchd over it, and over a stub file listing the
  three shards as remote databases served by three stock xapian-tcpsrv processes on loopback,
  answers every search exactly as iqn-searchd over a single index of the same records: totals,
  hits, scores, snippets and every facet count. A remote shard going down gives a clear 5xx
  error, never a silent partial answer; when it comes back, searches work again.
- The same holds for queries made from the records themselves (words and phrases of their titles
  and bodies, with filters on the facet values the index has, date sorts and later pages), so that
  the comparison can be rerun on any corpus: IQN_SHARDS_CORPUS (files or folders of records or
  documents, separated by ':') replaces ours.
- A replica made with xapian-replicate-server / xapian-replicate follows the primary, and an
  iqn-searchd on the replica finds a record within seconds of its import into the primary.
"""
import json
import os
import random
import re
import shutil
import subprocess
import time
import unittest

import harness
from harness import Config, TcpServers, free_port

QUERIES = [
    [],
    [("q", "nurses")],
    [("q", "credential assessment"), ("province", "ON")],
    [("q", "infirmières"), ("ui_lang", "fr")],
    [("province", "QC"), ("province", "NB"), ("topic", "licensure")],
    [("q", "engineer*"), ("sort", "-date")],
    [("q", "nurses"), ("sort", "date"), ("per_page", "50")],
    [("q", "\"bridging program\"")],
    [("q", "title:\"credential assessment\" OR summary:\"bridging program\"")],
    [("lang", "fr"), ("per_page", "50"), ("page", "2")],
    [("q", "mentorship"), ("type", "report"), ("type", "lesson"), ("per_page", "30")],
    [("q", "how do regulators assess the competency of foreign trained nurses")],
    [("q", "Colombie-Britannique"), ("ui_lang", "fr")],
    [("from", "2015"), ("to", "2019-06"), ("sort", "-date"), ("per_page", "100")],
]


# The records to shard: IQN_SHARDS_CORPUS (files or folders, separated by os.pathsep) to rerun the
# comparison on a corpus of your own; by default ours and a fixture.
SHARDS_CORPUS = [p for p in os.environ.get("IQN_SHARDS_CORPUS", "").split(os.pathsep) if p]


def made_queries(daemon, count=64, seed=11):
    """Searches made from what the index holds, deterministic for a given index: a word of a
    title, two words, a phrase of a body, a wildcard, a word and an excluded word, a title: search,
    OR, NEAR; every other one filtered on one or two facet values the index has, some in French,
    some between two years, some sorted by date, some on page 2."""
    rnd = random.Random(seed)
    first = daemon.search([("q", ""), ("sort", "-date"), ("per_page", "100")])
    facets = [(f, v["value"]) for f, values in sorted(first["facets"].items()) for v in values[:6]]
    words, phrases = [], []
    for hit in first["hits"][:40]:
        status, obj = daemon.get_json("/api/v1/documents/" + harness.urllib.parse.quote(hit["id"], safe=""))
        if status != 200:
            continue
        rec = obj["record"]
        words += [w.lower() for w in re.findall(r"\b[A-Za-z]{4,20}\b", rec.get("title") or "")]
        for line in (rec.get("body") or "").splitlines():
            ws = line.split()
            for i in range(0, max(0, len(ws) - 2), 7):
                if all(re.fullmatch(r"[A-Za-z]{3,20}", w) for w in ws[i:i + 3]):
                    phrases.append(" ".join(ws[i:i + 3]))
    words = sorted(set(words)) or ["the"]
    phrases = sorted(set(phrases)) or [words[0]]
    out = []
    years = sorted({h["date"][:4] for h in first["hits"] if h.get("date")})
    for i in range(count):
        kind = i % 8
        w = rnd.choice(words)
        if kind == 0:
            q = w
        elif kind == 1:
            q = "%s %s" % (w, rnd.choice(words))
        elif kind == 2:
            q = '"%s"' % rnd.choice(phrases)
        elif kind == 3:
            q = w[:4] + "*"
        elif kind == 4:
            q = "%s -%s" % (w, rnd.choice(words))
        elif kind == 5:
            q = "title:%s" % w
        elif kind == 6:
            q = "%s OR %s" % (w, rnd.choice(words))
        else:
            q = "%s NEAR %s" % (w, rnd.choice(words))
        params = [("q", q)]
        if i % 5 == 2:
            params.append(("ui_lang", "fr"))
        if i % 9 == 4 and years:
            params += [("from", years[0]), ("to", years[-1])]
        if i % 2 and facets:
            for f, v in rnd.sample(facets, min(len(facets), 1 + i % 3 // 2)):
                params.append((f, v))
        if i % 3 == 0:
            params.append(("sort", "-date" if i % 6 == 0 else "date"))
        if i % 7 == 3:
            params += [("per_page", "5"), ("page", "2")]
        out.append(params)
    return out


def comparable(obj):
    """A search response without the fields that legitimately differ (timing, spelling: remote
    shards carry no spelling table)."""
    obj = dict(obj)
    obj.pop("took_ms", None)
    obj.pop("did_you_mean", None)
    obj.pop("next_cursor", None)
    return obj


@unittest.skipUnless(shutil.which("xapian-tcpsrv"), "xapian-tcpsrv (xapian-tools) is not installed")
class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.TempDir()
        corpus = SHARDS_CORPUS or [Config.path("corpus", "records"), Config.fixture("good.xml")]
        cls.single = cls.tmp.join("single")
        cls.sharded = cls.tmp.join("sharded")
        cls.corpus = corpus
        ok = (0, 1) if SHARDS_CORPUS else (0,)  # a corpus of your own may hold files that cannot be read
        run = harness.run_index(cls.single, corpus)
        assert run.returncode in ok, run
        run = harness.run_index(cls.sharded, corpus, "--shards", "3")
        assert run.returncode in ok, run
        cls.servers = TcpServers()
        cls.ports = [free_port() for _ in range(3)]
        for i, port in enumerate(cls.ports):
            cls.servers.start(os.path.join(cls.sharded, "shard-%03d" % i), port)
        cls.stub = cls.tmp.join("remote.stub")
        with open(cls.stub, "w") as f:
            for port in cls.ports:
                f.write("remote 127.0.0.1:%d\n" % port)
        cls.daemons = {}
        for name, db in (("single", cls.single), ("sharded", cls.sharded), ("remote", cls.stub)):
            cls.daemons[name] = harness.Searchd(db).start()

    @classmethod
    def tearDownClass(cls):
        for d in cls.daemons.values():
            d.stop()
        cls.servers.stop_all()
        cls.tmp.close()

    def test_sharded_index_layout(self):
        self.assertTrue(os.path.isfile(os.path.join(self.sharded, "iqn.stub")))
        counts = []
        for i in range(3):
            out = subprocess.run(["xapian-delve", os.path.join(self.sharded, "shard-%03d" % i)],
                                 capture_output=True, text=True).stdout
            counts.append(int(out.split("number of documents = ")[1].split()[0]))
        single = self.daemons["single"].get_json("/healthz")[1]["documents"]
        self.assertEqual(sum(counts), single)
        self.assertTrue(all(c > 0 for c in counts), counts)
        # Re-running the import over the shards changes nothing.
        run = harness.run_index(self.sharded, self.corpus, "--shards", "3")
        self.assertEqual(run.summary["added"] + run.summary["updated"], 0, run)
        # A different shard count is refused.
        run = harness.run_index(self.sharded, [Config.fixture("good.xml")], "--shards", "2")
        self.assertEqual(run.returncode, 2, run)

    def test_identical_results(self):
        if SHARDS_CORPUS:
            self.skipTest("the fixed queries are about our corpus (see test_identical_results_made)")
        for params in QUERIES:
            with self.subTest(params=params):
                want = comparable(self.daemons["single"].search(params))
                self.assertGreater(want["total"], 0)
                for name in ("sharded", "remote"):
                    got = comparable(self.daemons[name].search(params))
                    self.assertEqual(got, want, "%s differs for %r" % (name, params))

    def test_identical_results_made(self):
        queries = made_queries(self.daemons["single"])
        matched = 0
        for params in queries:
            with self.subTest(params=params):
                want = comparable(self.daemons["single"].search(params))
                matched += want["total"] > 0
                for name in ("sharded", "remote"):
                    got = comparable(self.daemons[name].search(params))
                    self.assertEqual(got, want, "%s differs for %r" % (name, params))
        # Words of the records themselves: most searches find something, or the comparison is empty.
        self.assertGreater(matched, len(queries) // 2, "too few of the made queries match")

    def test_identical_exports(self):
        for fmt in ("jsonl", "csv"):
            want = self.daemons["single"].get("/api/v1/search?format=%s&sort=-date" % fmt)
            for name in ("sharded", "remote"):
                got = self.daemons[name].get("/api/v1/search?format=%s&sort=-date" % fmt)
                self.assertEqual(got[0], 200)
                self.assertEqual(got[2], want[2], "%s export differs (%s)" % (name, fmt))

    def test_documents(self):
        ids = ("east-qc-ingenieurs-rapport-fr", "east-qc-engineers-report-en", "fixture-xml-1")
        if SHARDS_CORPUS:
            ids = [h["id"] for h in self.daemons["single"].search([("q", ""), ("per_page", "20")])["hits"]]
        for rid in ids:
            want = self.daemons["single"].get_json("/api/v1/documents/" + rid)
            for name in ("sharded", "remote"):
                self.assertEqual(self.daemons[name].get_json("/api/v1/documents/" + rid), want)

    def test_zz_remote_shard_down(self):
        """Runs last (name): takes one tcpsrv down, then brings it back."""
        remote = self.daemons["remote"]
        victim = self.servers.procs[1]
        victim.terminate()
        victim.wait(10)
        time.sleep(0.5)
        for params in ([("q", "nurses")], []):
            status, _, body = remote.request("GET", "/api/v1/search?" + harness.urllib.parse.urlencode(params))
            self.assertGreaterEqual(status, 500, body)
            err = json.loads(body)["error"]
            self.assertIn("shard", err["message"])
        # The daemon is still up and healthy for what does not need the index...
        self.assertEqual(remote.request("GET", "/api/v1/facets")[0], 200)
        # ...and recovers when the shard is back.
        self.servers.procs[1] = self.servers.start(os.path.join(self.sharded, "shard-001"), self.ports[1])
        deadline = time.monotonic() + 20
        while True:
            status, _, body = remote.request("GET", "/api/v1/search?q=nurses")
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        self.assertEqual(status, 200, body)
        self.assertEqual(comparable(json.loads(body)), comparable(self.daemons["single"].search([("q", "nurses")])))


@unittest.skipUnless(shutil.which("xapian-replicate-server") and shutil.which("xapian-replicate"),
                     "xapian-replicate (xapian-tools) is not installed")
class Replica(unittest.TestCase):
    def test_replica_follows_primary(self):
        tmp = harness.TempDir()
        procs = []
        daemon = None
        try:
            primary_root = tmp.join("primary")
            os.makedirs(primary_root)
            primary = os.path.join(primary_root, "iqn")
            os.environ["XAPIAN_MAX_CHANGESETS"] = "20"  # the writer keeps changesets for replicas
            try:
                run = harness.run_index(primary, [Config.path("corpus", "records")])
            finally:
                os.environ.pop("XAPIAN_MAX_CHANGESETS", None)
            self.assertEqual(run.returncode, 0, run)
            port = free_port()
            procs.append(subprocess.Popen(["xapian-replicate-server", "--port", str(port), "--interface",
                                           "127.0.0.1", primary_root],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))  # they signal their process group on exit
            replica = tmp.join("replica")
            procs.append(subprocess.Popen(["xapian-replicate", "--host", "127.0.0.1", "--port", str(port),
                                           "--master", "iqn", "--interval", "1", replica],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))  # they signal their process group on exit
            deadline = time.monotonic() + 60
            while not os.path.exists(os.path.join(replica, "XAPIANDB")) and time.monotonic() < deadline:
                time.sleep(0.2)
            daemon = harness.Searchd(replica).start()
            corpus = harness.load_corpus(Config.path("corpus", "records"), harness.load_vocab())
            self.assertEqual(daemon.get_json("/healthz")[1]["documents"], len(corpus))
            self.assertEqual(daemon.search([("q", "platypusrevision")])["total"], 0)
            os.environ["XAPIAN_MAX_CHANGESETS"] = "20"
            try:
                run = harness.run_index(primary, [Config.fixture("revision.jsonl")])
            finally:
                os.environ.pop("XAPIAN_MAX_CHANGESETS", None)
            self.assertEqual(run.summary["added"], 1, run)
            t0 = time.monotonic()
            while daemon.search([("q", "platypusrevision")])["total"] != 1:
                self.assertLess(time.monotonic() - t0, 15, "the replica did not show the new record in 15 s")
                time.sleep(0.2)
        finally:
            if daemon:
                daemon.stop()
            for p in procs:
                p.terminate()
                p.wait(10)
            tmp.close()


if __name__ == "__main__":
    harness.main()
