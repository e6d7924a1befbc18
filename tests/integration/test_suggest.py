#!/usr/bin/env python3
"""test_suggest.py - GET /api/v1/suggest (completions as the user types: vocabulary labels in either
language shown in the UI language, then titles of a search-as-you-type query) and
GET /api/v1/documents/{id}/similar (more-like-this, hits shaped like search hits), over the real
corpus: table-driven completion cases, limits, dedup, bad input; similar's exclusions and errors.

With --timing N (after the usual --index/--searchd/--source) it runs no tests: it sends N suggest
requests of prefixes typed letter by letter and prints p50/p99 latencies (docs/RELEVANCE.md)."""

import http.client
import json
import os
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

SUGGEST = "/api/v1/suggest"
KINDS = {"title", "province", "profession", "topic"}
HIT_KEYS = {"id", "type", "lang", "title", "snippet", "date", "province", "profession", "topic", "organization",
            "url", "score", "pair", "summary"}

# The longest label (27 words): typed in full, it still completes.
LONGEST_FR = ("Opérateurs/opératrices de salle de commande centrale et de conduite de procédés industriels dans le "
              "raffinage du pétrole et le traitement du gaz et des produits chimiques")

# Completion cases: (id, q, ui_lang, expected (kind, value, text) among the suggestions, and
# (kind, value) that must come first, or None). Texts are the vocabulary labels in ui_lang.
LABEL_CASES = [
    ("label-prefix-fr", "colo", "fr", ("province", "BC", "Colombie-Britannique"), ("province", "BC")),
    ("label-other-language", "colo", "en", ("province", "BC", "British Columbia"), ("province", "BC")),
    ("label-accent-folded", "quebe", "fr", ("province", "QC", "Québec"), ("province", "QC")),
    ("label-accent-typed", "Québ", "en", ("province", "QC", "Quebec"), ("province", "QC")),
    ("label-profession-fr", "infirm", "fr",
     ("profession", "31301", "Infirmiers autorisés/infirmières autorisées et infirmiers psychiatriques "
      "autorisés/infirmières psychiatriques autorisées"), None),
    ("label-profession-fr-in-en-ui", "infirm", "en",
     ("profession", "31301", "Registered nurses and registered psychiatric nurses"), None),
    ("label-topic-en", "cred", "en", ("topic", "credential-assessment", "Credential assessment"),
     ("topic", "credential-assessment")),
    ("label-words-in-order", "registered nur", "fr",
     ("profession", "31301", "Infirmiers autorisés/infirmières autorisées et infirmiers psychiatriques "
      "autorisés/infirmières psychiatriques autorisées"), ("profession", "31301")),
    ("label-later-word", "britann", "fr", ("province", "BC", "Colombie-Britannique"), ("province", "BC")),
    ("label-several-words-fr", "Évaluation des dipl", "fr",
     ("topic", "credential-assessment", "Évaluation des diplômes"), ("topic", "credential-assessment")),
    ("label-several-words-unaccented", "evaluation des dipl", "fr",
     ("topic", "credential-assessment", "Évaluation des diplômes"), ("topic", "credential-assessment")),
    ("label-elision", "permis d'exer", "fr",
     ("topic", "licensure", "Permis d'exercice et inscription"), ("topic", "licensure")),
    ("label-hyphen-typed", "colombie-bri", "en", ("province", "BC", "British Columbia"), ("province", "BC")),
    ("label-longest-typed-whole", LONGEST_FR, "fr", ("profession", "93101", LONGEST_FR), ("profession", "93101")),
]

# Queries whose words, in that order, start words of no label: no label suggestion.
NO_LABEL = [("no-label-order", "columbia brit", "en"), ("no-label-nonsense", "zzqx", "fr")]


class Suggest(unittest.TestCase):
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.vocab = harness.load_vocab()
        cls.records = harness.load_corpus(Config.path("corpus", "records"), cls.vocab)
        harness.index_and_serve(cls, [Config.path("corpus", "records"), Config.fixture("snippet.jsonl")], "--quiet")

    @classmethod
    def tearDownClass(cls):
        harness.stop_and_clean(cls)

    def suggest(self, params, expect=200):
        status, obj = self.daemon.get_json(SUGGEST, params)
        self.assertEqual(status, expect, "suggest %r: %r" % (params, obj))
        return obj

    def check_shape(self, obj, limit=8):
        self.assertIsInstance(obj.get("suggestions"), list)
        self.assertLessEqual(len(obj["suggestions"]), limit)
        seen = set()
        for s in obj["suggestions"]:
            self.assertEqual(set(s), {"text", "kind", "value"}, s)
            self.assertIn(s["kind"], KINDS)
            self.assertTrue(s["text"] and s["value"], s)
            self.assertNotIn((s["kind"], s["value"]), seen, "suggested twice: %r" % (s,))
            seen.add((s["kind"], s["value"]))
            if s["kind"] == "title":
                self.assertIn(s["value"], self.records.keys() | {"fixture-snippet-xss", "fixture-snippet-attr"})
            else:
                self.assertIn(s["value"], self.vocab[s["kind"]])
        titles = [harness.fold(s["text"]) for s in obj["suggestions"] if s["kind"] == "title"]
        self.assertEqual(len(titles), len(set(titles)), "a title repeated: %r" % titles)

    # ---- labels ----

    def test_label_cases(self):
        for cid, q, ui_lang, (kind, value, text), first in LABEL_CASES:
            with self.subTest(case=cid, q=q, ui_lang=ui_lang):
                obj = self.suggest({"q": q, "ui_lang": ui_lang})
                self.check_shape(obj)
                got = [(s["kind"], s["value"], s["text"]) for s in obj["suggestions"]]
                self.assertIn((kind, value, text), got)
                self.assertEqual(self.vocab[kind][value][0 if ui_lang == "en" else 1], text)
                if first:
                    self.assertEqual(got[0][:2], first, got)

    def test_no_label(self):
        for cid, q, ui_lang in NO_LABEL:
            with self.subTest(case=cid, q=q):
                obj = self.suggest({"q": q, "ui_lang": ui_lang})
                self.check_shape(obj)
                labels = [s for s in obj["suggestions"] if s["kind"] != "title"]
                if cid == "no-label-order":
                    self.assertNotIn(("province", "BC"), [(s["kind"], s["value"]) for s in labels])
                else:
                    self.assertEqual(labels, [])

    def test_labels_match_typed_words(self):
        # Every label suggested has, in either language, words starting with the typed words, in order.
        for q in ("nur", "ing civ", "lang", "new b", "men"):
            obj = self.suggest({"q": q, "ui_lang": "fr", "limit": "20"})
            self.check_shape(obj, 20)
            typed = harness.words(q)
            for s in obj["suggestions"]:
                if s["kind"] == "title":
                    continue
                ok = False
                for label in self.vocab[s["kind"]][s["value"]]:
                    lw, i = harness.words(label.replace("-", " ").replace("/", " ")), 0
                    for w in lw:
                        if i < len(typed) and w.startswith(typed[i]):
                            i += 1
                    ok = ok or i == len(typed)
                with self.subTest(q=q, suggestion=s):
                    self.assertTrue(ok, "%r does not start words of %r" % (q, self.vocab[s["kind"]][s["value"]]))

    # ---- titles ----

    def test_titles_in_ui_language(self):
        # The Sudbury pair: its French title in the French UI, its English title in the English UI.
        fr = self.suggest({"q": "sudbu", "ui_lang": "fr", "limit": "20"})
        en = self.suggest({"q": "sudbu", "ui_lang": "en", "limit": "20"})
        self.check_shape(fr, 20)
        self.check_shape(en, 20)
        fr_ids = [s["value"] for s in fr["suggestions"] if s["kind"] == "title"]
        en_ids = [s["value"] for s in en["suggestions"] if s["kind"] == "title"]
        self.assertIn("central-on-passerelle-infirmieres-sudbury", fr_ids)
        self.assertNotIn("central-on-ien-bridge-sudbury", fr_ids)
        self.assertIn("central-on-ien-bridge-sudbury", en_ids)
        self.assertNotIn("central-on-passerelle-infirmieres-sudbury", en_ids)
        for s in fr["suggestions"]:
            if s["value"] == "central-on-passerelle-infirmieres-sudbury":
                self.assertEqual(s["text"], self.records[s["value"]]["title"])

    def test_title_partial_word(self):
        # The last word is a prefix: "quokkaval" completes the fixture's title word "Quokkavalidation".
        obj = self.suggest({"q": "quokkaval", "ui_lang": "en"})
        self.check_shape(obj)
        got = {s["value"]: s["text"] for s in obj["suggestions"] if s["kind"] == "title"}
        self.assertIn("fixture-snippet-xss", got)
        # JSON carries the title as stored; escaping for HTML is the page's job.
        self.assertEqual(got["fixture-snippet-xss"], "Quokkavalidation <b>test</b> page")

    def test_labels_and_titles_share_the_limit(self):
        for limit in (1, 2, 3, 8, 20):
            with self.subTest(limit=limit):
                obj = self.suggest({"q": "in", "ui_lang": "fr", "limit": str(limit)})
                self.check_shape(obj, limit)
                self.assertEqual(len(obj["suggestions"]), limit, "enough matches for %d" % limit)
                kinds = [s["kind"] for s in obj["suggestions"]]
                if limit >= 2:
                    self.assertIn("title", kinds)
                    self.assertNotEqual(kinds[0], "title", "labels come first")
                    self.assertGreaterEqual(sum(k != "title" for k in kinds), (limit + 1) // 2)

    def test_default_limit(self):
        obj = self.suggest({"q": "in"})
        self.check_shape(obj, 8)
        self.assertEqual(len(obj["suggestions"]), 8)

    def test_no_words(self):
        for q in (" ", "!!!", "'", "«»"):
            with self.subTest(q=q):
                self.assertEqual(self.suggest({"q": q})["suggestions"], [])

    def test_query_syntax_is_harmless(self):
        for q in ('"unclosed', "title:", "AND", "NOT nurse", "(", "nurse*", "province:BC col"):
            with self.subTest(q=q):
                self.check_shape(self.suggest({"q": q, "ui_lang": "en"}))

    # ---- bad input ----

    def bad(self, query, param):
        status, _, body = self.daemon.get(SUGGEST + query)
        self.assertEqual(status, 400, "%s: %r" % (query, body))
        obj = json.loads(body.decode("utf-8"))
        self.assertEqual(obj["error"]["code"], "bad_parameter")
        if param:
            self.assertEqual(obj["error"].get("parameter"), param)

    def test_bad_input(self):
        cases = [
            ("", "q"), ("?q=", "q"), ("?ui_lang=fr", "q"),
            ("?q=" + "a" * 257, "q"),
            ("?q=%FF", "q"), ("?q=ab%C3", "q"), ("?q=a%00b", "q"),
            ("?q=a&limit=0", "limit"), ("?q=a&limit=21", "limit"), ("?q=a&limit=x", "limit"),
            ("?q=a&limit=-1", "limit"), ("?q=a&ui_lang=de", "ui_lang"), ("?q=a&q=b", "q"),
            ("?q=a&page=2", "page"),
        ]
        for query, param in cases:
            with self.subTest(query=query[:40]):
                self.bad(query, param)

    def test_longest_q(self):
        # 256 bytes are accepted, counted in bytes (é is two).
        self.check_shape(self.suggest({"q": "a" * 256}))
        self.check_shape(self.suggest({"q": "é" * 128}))
        self.bad("?q=" + "%C3%A9" * 128 + "a", "q")

    def test_head_and_method(self):
        status, hdrs, body = self.daemon.request("HEAD", SUGGEST + "?q=colo")
        self.assertEqual(status, 200)
        self.assertEqual(body, b"")
        status, _, _ = self.daemon.request("POST", SUGGEST + "?q=colo", body=b"")
        self.assertEqual(status, 405)

    # ---- similar ----

    def similar(self, rid, params=None, expect=200):
        status, obj = self.daemon.get_json("/api/v1/documents/%s/similar" % rid, params)
        self.assertEqual(status, expect, "similar %s %r: %r" % (rid, params, obj))
        return obj

    def test_similar_hits(self):
        rid, pair = "central-on-ien-bridge-sudbury", "central-on-passerelle-infirmieres-sudbury"
        for ui_lang in ("en", "fr"):
            with self.subTest(ui_lang=ui_lang):
                obj = self.similar(rid, {"ui_lang": ui_lang, "per_page": "20"})
                self.assertEqual(obj["id"], rid)
                self.assertEqual(obj["ui_lang"], ui_lang)
                self.assertTrue(obj["hits"])
                self.assertLessEqual(len(obj["hits"]), 20)
                ids = [h["id"] for h in obj["hits"]]
                self.assertNotIn(rid, ids)
                self.assertNotIn(pair, ids)
                self.assertEqual(len(ids), len(set(ids)))
                for h in obj["hits"]:
                    self.assertEqual(set(h), HIT_KEYS)
                    rec = self.records.get(h["id"])
                    if rec is not None and harness.partner(self.records, rec) is not None:
                        self.assertEqual(h["lang"], ui_lang, "a paired record in the other language")
                scores = [h["score"] for h in obj["hits"]]
                self.assertEqual(scores, sorted(scores, reverse=True))
        # Nursing records are most like a nursing record.
        top = self.similar(rid, {"per_page": "5"})["hits"]
        self.assertEqual(len(top), 5)
        nursing = [h for h in top if set(h["profession"]) & {"31301", "31300", "31302", "32101"}]
        self.assertGreaterEqual(len(nursing), 3, [h["id"] for h in top])

    def test_similar_same_hit_shape_as_search(self):
        hit = self.daemon.search({"q": "nurses"})["hits"][0]
        sim = self.similar("central-on-ien-bridge-sudbury")["hits"][0]
        self.assertEqual(set(hit), set(sim))
        self.assertEqual(len(self.similar("central-on-ien-bridge-sudbury")["hits"]), 5)  # the default

    def test_similar_errors(self):
        self.similar("no-such-record", expect=404)
        for rid in ("bad%20id", "a%00b", "%FF", "x" * 129, "caf%C3%A9"):
            with self.subTest(id=rid[:20]):
                obj = self.similar(rid, expect=400)
                self.assertEqual(obj["error"]["code"], "bad_parameter")
                self.assertEqual(obj["error"].get("parameter"), "id")
        status, obj = self.daemon.get_json("/api/v1/documents//similar")
        self.assertEqual(status, 400)
        status, obj = self.daemon.get_json("/api/v1/documents/a/b/similar")
        self.assertEqual(status, 404)
        self.similar("x" * 128, expect=404)
        for params, param in (({"per_page": "0"}, "per_page"), ({"per_page": "51"}, "per_page"),
                              ({"ui_lang": "es"}, "ui_lang"), ({"q": "x"}, "q")):
            with self.subTest(params=params):
                obj = self.similar("central-on-ien-bridge-sudbury", params, expect=400)
                self.assertEqual(obj["error"].get("parameter"), param)


# ---- --timing N: latency of suggest, not a test ----

TIMING_WORDS = ["colombie", "infirmieres", "credential assessment", "registered nurses", "evaluation des diplomes",
                "engineers", "Québec", "bridging program", "mentorat", "language training", "licensure",
                "pharmacists", "enseignants formés", "employer engagement", "nouveau-brunswick"]


def timing(n):
    """Send n suggest requests (each prefix of the words, letter by letter, both UI languages) and
    print p50/p90/p99 and the maximum in milliseconds."""
    tmp = harness.TempDir()
    daemon = None
    try:
        db = tmp.join("index")
        run = harness.run_index(db, [Config.path("corpus", "records")], "--quiet")
        if run.returncode != 0:
            raise SystemExit("indexing failed: %r" % run)
        daemon = harness.Searchd(db, "--anon-rate", "0").start()  # measure the endpoint, not the rate limit
        prefixes = [(w[:i], lang) for w in TIMING_WORDS for i in range(1, len(w) + 1) for lang in ("en", "fr")]
        for q, lang in prefixes[:20]:  # warm up: first use builds the label table
            daemon.get(SUGGEST, {"q": q, "ui_lang": lang})
        times, took = [], []
        conn = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=30)
        for i in range(n):
            q, lang = prefixes[i % len(prefixes)]
            path = SUGGEST + "?" + urllib.parse.urlencode({"q": q, "ui_lang": lang})
            t0 = time.perf_counter()
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            times.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                raise SystemExit("suggest %r: %d" % (q, resp.status))
            took.append(json.loads(body.decode("utf-8"))["took_ms"])
        conn.close()

        def pct(xs, p):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]
        for name, xs in (("client (HTTP round trip)", times), ("server (took_ms)", took)):
            print("suggest: %d requests (%d distinct prefixes, en and fr), %s: p50 %.2f ms, p90 %.2f ms, "
                  "p99 %.2f ms, max %.2f ms" % (n, len(prefixes), name, pct(xs, 50), pct(xs, 90), pct(xs, 99),
                                                max(xs)))
    finally:
        if daemon:
            daemon.stop()
        tmp.close()


if __name__ == "__main__":
    if "--timing" in sys.argv:
        i = sys.argv.index("--timing")
        count = int(sys.argv[i + 1])
        del sys.argv[i:i + 2]
        harness.parse_args()
        timing(count)
    else:
        harness.main()
