#!/usr/bin/env python3
"""test_search.py - full-text search over the real corpus (plus tests/fixtures/snippet.jsonl):
title words find their record, phrases, `-word` exclusion, `title:` prefix, French accent folding
and elisions, paging, per_page, sorting by date both ways and by relevance, snippet escaping,
did_you_mean and the shape of a hit."""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402

HIT_KEYS = ("id", "type", "lang", "title", "snippet", "date", "province", "profession", "topic", "organization",
            "url", "score")


class TextSearch(unittest.TestCase):
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.vocab = harness.load_vocab()
        cls.records = harness.load_corpus(Config.path("corpus", "records"), cls.vocab)
        with open(Config.fixture("snippet.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    cls.records[rec["id"]] = rec
        harness.index_and_serve(cls, [Config.path("corpus", "records"), Config.fixture("snippet.jsonl")], "--quiet")
        # A paired record's document carries its translation's text too.
        cls.words = {rid: harness.record_words(r, records=cls.records) for rid, r in cls.records.items()}
        cls.own_words = {rid: harness.record_words(r) for rid, r in cls.records.items()}
        cls.labels = harness.label_words(cls.vocab)

    @classmethod
    def tearDownClass(cls):
        harness.stop_and_clean(cls)

    # ---- helpers ----

    def ids(self, params):
        _, hits = self.daemon.search_all(params, per_page=100)
        ids = [h["id"] for h in hits]
        self.assertEqual(len(ids), len(set(ids)), "a hit repeated across pages for %r" % (params,))
        return set(ids)

    def english(self):
        return {rid: r for rid, r in self.records.items() if r.get("lang") == "en"}

    def doc_freq(self, recs):
        freq = {}
        for rid in recs:
            for w in self.own_words[rid]:
                freq[w] = freq.get(w, 0) + 1
        return freq

    def plain(self, w):
        """A word safe to reason about: long, plain ASCII letters, not in any vocabulary label
        (records may be indexed under their codes' labels)."""
        return len(w) >= 6 and w.isalpha() and w.isascii() and w not in self.labels

    def adjacent_stems(self, rid, a, b):
        """Whether some text field of rid (or of its translation, whose text its document carries)
        has a word stemming like a right before one stemming like b, in English or French."""
        rec = self.records[rid]
        recs = [rec] + [p for p in [harness.partner(self.records, rec)] if p is not None]
        for lang in ("en", "fr"):
            want = (harness.stem(a, lang), harness.stem(b, lang))
            for r in recs:
                for f in harness.TEXT_FIELDS:
                    ws = harness.words(r[f]) if isinstance(r.get(f), str) else []
                    if any((harness.stem(x, lang), harness.stem(y, lang)) == want for x, y in zip(ws, ws[1:])):
                        return True
        return False

    def visible(self, ui_lang):
        hidden = harness.hidden_ids(self.records, ui_lang, {})
        return {rid for rid in self.records if rid not in hidden}

    # ---- tests ----

    def test_title_words_find_record(self):
        ids = sorted(self.records)
        picked = ids[::max(1, len(ids) // 8)][:8]
        for rid in picked:
            rec = self.records[rid]
            ws = sorted({w for w in harness.words(rec["title"]) if len(w) >= 5 and not w.isdigit()},
                        key=lambda w: (-len(w), w))[:3]
            if not ws:
                continue
            with self.subTest(id=rid, words=ws):
                obj = self.daemon.search([("q", " ".join(ws)), ("ui_lang", rec["lang"]), ("per_page", "20")])
                self.assertIn(rid, [h["id"] for h in obj["hits"]])

    def test_phrase(self):
        done = 0
        for rid in sorted(self.english()):
            tw = harness.words(self.records[rid]["title"])
            pairs = [(a, b) for a, b in zip(tw, tw[1:]) if self.plain(a) and self.plain(b)]
            if not pairs:
                continue
            a, b = pairs[0]
            with self.subTest(id=rid, phrase=(a, b)):
                phrase = self.ids([("q", '"%s %s"' % (a, b))])
                both = self.ids([("q", "%s AND %s" % (a, b))])
                self.assertIn(rid, phrase)
                self.assertTrue(phrase <= both, "phrase hits that lack a word: %s" % (phrase - both))
                # The index holds stems: a phrase matches the same stems side by side, in either
                # official language's stemming (a document carries its translation's text too).
                for hid in phrase:
                    self.assertTrue(self.adjacent_stems(hid, a, b), "%s lacks %s then %s" % (hid, a, b))
                # The reversed phrase matches only records where the words occur in that order.
                reverse = self.ids([("q", '"%s %s"' % (b, a))])
                for hid in reverse:
                    self.assertTrue(self.adjacent_stems(hid, b, a), "%s lacks %s then %s" % (hid, b, a))
            done += 1
            if done >= 3:
                break
        self.assertGreater(done, 0, "no English title with two adjacent long words")

    def test_exclusion(self):
        en = self.english()
        freq = self.doc_freq(en)
        n = len(en)
        common = sorted((w for w, c in freq.items() if self.plain(w) and n * 0.15 <= c <= n * 0.6),
                        key=lambda w: (-freq[w], w))
        self.assertTrue(common, "no common English word")
        x = common[0]
        with_x = [rid for rid in en if x in self.own_words[rid]]
        f2 = self.doc_freq(with_x)
        ys = sorted((w for w, c in f2.items() if self.plain(w) and w != x and 2 <= c <= len(with_x) * 0.5),
                    key=lambda w: (-f2[w], w))
        self.assertTrue(ys, "no second word to exclude")
        y = ys[0]
        all_x = self.ids([("q", x)])
        x_and_y = self.ids([("q", "%s AND %s" % (x, y))])
        x_not_y = self.ids([("q", "%s -%s" % (x, y))])
        self.assertTrue(x_and_y, "%s AND %s matched nothing" % (x, y))
        self.assertEqual(x_not_y, all_x - x_and_y)
        self.assertLess(len(x_not_y), len(all_x))
        for hid in x_not_y:
            if self.records[hid].get("lang") == "en":
                self.assertNotIn(y, self.words[hid], "%s contains the excluded word %s" % (hid, y))
        # A record with both words exactly is excluded.
        both = [rid for rid in with_x if y in self.own_words[rid]]
        self.assertTrue(both)
        self.assertNotIn(both[0], x_not_y)
        # NOT spelled out works the same.
        self.assertEqual(self.ids([("q", "%s NOT %s" % (x, y))]), x_not_y)

    def test_title_prefix(self):
        en = self.english()
        title_words = {rid: harness.record_words(r, ("title",), self.records) for rid, r in en.items()}
        candidates = []
        for w in sorted(self.doc_freq(en)):
            if not self.plain(w):
                continue
            in_title = [rid for rid in en if w in title_words[rid]]
            elsewhere = [rid for rid in en if w in self.own_words[rid] and
                         not any(t.startswith(w[:4]) for t in title_words[rid])]
            if 2 <= len(in_title) and len(elsewhere) >= 2:
                candidates.append((w, in_title, elsewhere))
        self.assertTrue(candidates, "no word found both in titles and elsewhere")
        w, in_title, elsewhere = candidates[0]
        got = self.ids([("q", "title:" + w)])
        anywhere = self.ids([("q", w)])
        self.assertTrue(got <= anywhere)
        for rid in in_title:
            self.assertIn(rid, got, "title:%s misses %s" % (w, rid))
        for rid in elsewhere:
            self.assertNotIn(rid, got, "title:%s finds %s, whose title lacks it" % (w, rid))
        self.assertLess(len(got), len(anywhere))

    def says(self, rid, pattern):
        """Does the document of rid (its text and its translation's) match pattern?"""
        recs = [self.records[rid]]
        p = harness.partner(self.records, recs[0])
        if p is not None:
            recs.append(p)
        return any(isinstance(r.get(f), str) and re.search(pattern, r[f], re.I)
                   for r in recs for f in harness.TEXT_FIELDS)

    def test_french_accent_folding(self):
        with_accent = {rid for rid in self.visible("fr") if self.says(rid, r"\bdiplômes\b")}
        self.assertTrue(with_accent, "no record in the corpus says 'diplômes'")
        plain = self.ids([("q", "diplomes"), ("ui_lang", "fr")])
        accented = self.ids([("q", "diplômes"), ("ui_lang", "fr")])
        self.assertTrue(with_accent <= plain, "diplomes misses %s" % sorted(with_accent - plain)[:5])
        self.assertEqual(plain, accented)
        upper = self.ids([("q", "DIPLÔMES"), ("ui_lang", "fr")])
        self.assertTrue(with_accent <= upper)

    def test_decomposed_accents(self):
        # The same word typed with a combining accent (NFD, as pasted from macOS or a PDF).
        nfc = self.ids([("q", "diplômes"), ("ui_lang", "fr")])
        nfd = self.ids([("q", "diplo\u0302mes"), ("ui_lang", "fr")])
        self.assertTrue(nfc)
        self.assertEqual(nfd, nfc)

    def test_french_elision(self):
        with_elision = {rid for rid in self.visible("fr") if self.says(rid, r"\bl['’]évaluation\b")}
        self.assertTrue(with_elision, "no record in the corpus says l'évaluation")
        for q in ("evaluation", "évaluation", "l'évaluation", "l’évaluation"):
            with self.subTest(q=q):
                got = self.ids([("q", q), ("ui_lang", "fr")])
                self.assertTrue(with_elision <= got, "%s misses %s" % (q, sorted(with_elision - got)[:5]))

    def test_label_search(self):
        # Records are found by the labels of their codes in either language (db.h, iqn_db_set_vocab):
        # "Colombie-Britannique" finds records tagged BC even when their text never says it.
        bc = {rid for rid in self.visible("fr") if "BC" in self.records[rid]["province"]}
        silent = {rid for rid in bc if not self.says(rid, r"colombie|british columbia")}
        self.assertTrue(silent, "every BC record names the province in its text")
        got = self.ids([("q", '"Colombie-Britannique"'), ("ui_lang", "fr")])
        self.assertTrue(bc <= got, "missing BC records, e.g. %s" % sorted(bc - got)[:5])

    def test_paging(self):
        q = [("q", "program")]
        p1 = self.daemon.search(q + [("page", "1"), ("per_page", "10")])
        p2 = self.daemon.search(q + [("page", "2"), ("per_page", "10")])
        top = self.daemon.search(q + [("page", "1"), ("per_page", "20")])
        self.assertGreaterEqual(top["total"], 20, "query too narrow for a paging test")
        ids1 = [h["id"] for h in p1["hits"]]
        ids2 = [h["id"] for h in p2["hits"]]
        self.assertEqual(len(ids1), 10)
        self.assertEqual(len(ids2), 10)
        self.assertFalse(set(ids1) & set(ids2))
        self.assertEqual(ids1 + ids2, [h["id"] for h in top["hits"]])
        self.assertEqual((p1["page"], p1["per_page"]), (1, 10))
        self.assertEqual((p2["page"], p2["per_page"]), (2, 10))
        self.assertEqual(p1["total"], p2["total"])
        self.assertEqual(p1["total"], top["total"])
        # Past the end: no hits, same total.
        last = (top["total"] + 9) // 10
        past = self.daemon.search(q + [("page", str(last + 1)), ("per_page", "10")])
        self.assertEqual(past["hits"], [])
        self.assertEqual(past["total"], top["total"])

    def test_per_page(self):
        self.assertEqual(len(self.daemon.search([("per_page", "5")])["hits"]), 5)
        self.assertEqual(len(self.daemon.search([])["hits"]), 10)  # the default
        obj = self.daemon.search([("per_page", "100")])
        self.assertEqual(len(obj["hits"]), min(100, len(self.visible("en"))))
        self.assertEqual(obj["per_page"], 100)
        self.assertEqual(len(self.daemon.search([("per_page", "1")])["hits"]), 1)

    def _dates(self, sort):
        _, hits = self.daemon.search_all([("sort", sort)], per_page=100)
        self.assertEqual({h["id"] for h in hits}, self.visible("en"))
        keys = []
        for h in hits:
            want = (self.records[h["id"]].get("date") or "").strip() or None
            self.assertEqual(h["date"], want, h["id"])
            keys.append(harness.date_key(h["date"]) if h["date"] else None)
        return keys

    def test_sort_date_desc(self):
        keys = self._dates("-date")
        dated = [k for k in keys if k]
        self.assertGreater(len(dated), 10)
        self.assertEqual(dated, sorted(dated, reverse=True))
        # Records without a date come after every dated one.
        if None in keys:
            self.assertTrue(all(k is None for k in keys[keys.index(None):]), "undated records among dated ones")

    def test_sort_date_asc(self):
        keys = self._dates("date")
        dated = [k for k in keys if k]
        self.assertEqual(dated, sorted(dated))
        self.assertNotEqual(dated[0], dated[-1])

    def test_sort_date_with_text(self):
        _, hits = self.daemon.search_all([("q", "nurses"), ("sort", "-date")], per_page=100)
        dated = [harness.date_key(h["date"]) for h in hits if h["date"]]
        self.assertGreater(len(dated), 1)
        self.assertEqual(dated, sorted(dated, reverse=True))

    def test_sort_relevance(self):
        obj = self.daemon.search([("q", "nurses"), ("per_page", "50")])
        scores = [h["score"] for h in obj["hits"]]
        self.assertGreater(len(scores), 1)
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertGreater(scores[0], 0)
        same = self.daemon.search([("q", "nurses"), ("per_page", "50"), ("sort", "relevance")])
        self.assertEqual([h["id"] for h in same["hits"]], [h["id"] for h in obj["hits"]])

    def test_snippet_escaping(self):
        obj = self.daemon.search([("q", "quokkavalidation")])
        self.assertEqual(obj["total"], 1)
        hit = obj["hits"][0]
        self.assertEqual(hit["id"], "fixture-snippet-xss")
        snip = hit["snippet"]
        self.assertIn("&lt;script&gt;", snip)
        self.assertIn("<mark>", snip)
        self.assertIn("<mark>quokkavalidation</mark>", snip)
        self.assertNotIn("<script", snip.lower())
        self.assertNotIn("<img", snip.lower())
        self.assertIn("&amp;", snip)
        # <mark> and </mark> are the only markup.
        tags = re.findall(r"<\s*/?\s*([A-Za-z]+)", snip)
        self.assertTrue(tags)
        self.assertEqual(set(tags), {"mark"}, snip)

    def test_snippet_quotes_escaped(self):
        obj = self.daemon.search([("q", "wombatcheck")])
        self.assertEqual([h["id"] for h in obj["hits"]], ["fixture-snippet-attr"])
        snip = obj["hits"][0]["snippet"]
        self.assertIn("<mark>wombatcheck</mark>", snip)
        self.assertNotIn("<a ", snip)
        self.assertNotIn('"', snip)
        self.assertIn("&lt;a href=&quot;javascript:alert(3)&quot;&gt;", snip)

    def test_snippet_marks_matches(self):
        obj = self.daemon.search([("q", "nurses"), ("per_page", "10")])
        self.assertTrue(obj["hits"])
        marked = [h for h in obj["hits"] if "<mark>" in (h["snippet"] or "")]
        self.assertGreater(len(marked), len(obj["hits"]) // 2, "most snippets should mark 'nurses'")
        for h in marked:
            for m in re.findall(r"<mark>(.*?)</mark>", h["snippet"]):
                self.assertTrue(harness.fold(m).startswith("nurs"), "marked %r for nurses" % m)

    def test_did_you_mean(self):
        obj = self.daemon.search([("q", "quokkavalidaton")])
        self.assertEqual(obj["did_you_mean"], "quokkavalidation")
        obj = self.daemon.search([("q", "quokkavalidation")])
        self.assertIsNone(obj["did_you_mean"])

    def test_hit_shape(self):
        obj = self.daemon.search([("q", "quokkavalidation")])
        for key in ("total", "page", "per_page", "took_ms", "did_you_mean", "hits", "facets"):
            self.assertIn(key, obj)
        hit = obj["hits"][0]
        for key in HIT_KEYS:
            self.assertIn(key, hit)
        self.assertEqual(hit["type"], "page")
        self.assertEqual(hit["lang"], "en")
        self.assertEqual(hit["title"], "Quokkavalidation <b>test</b> page")  # JSON data; the client escapes it
        self.assertEqual(hit["province"], ["NU"])
        self.assertEqual(hit["topic"], ["mentorship"])
        self.assertEqual(hit["profession"], [])
        self.assertEqual(hit["date"], "2023-06-15")
        self.assertEqual(hit["url"], "https://example.ca/fixture?a=1&b=2")
        self.assertEqual(hit["organization"], "<i>Org</i> & Co")
        self.assertIsInstance(hit["score"], (int, float))
        self.assertIsInstance(obj["took_ms"], (int, float))

    def test_empty_query_is_everything(self):
        for q in ([], [("q", "")], [("q", "   ")]):
            with self.subTest(q=q):
                self.assertEqual(self.daemon.search(q)["total"], len(self.visible("en")))

    def test_no_match(self):
        obj = self.daemon.search([("q", "zzyzxnonexistentword")])
        self.assertEqual(obj["total"], 0)
        self.assertEqual(obj["hits"], [])
        for facet in harness.FACETS:
            self.assertEqual(obj["facets"][facet], [])

    def test_query_syntax_errors_answer(self):
        for q in ('nurses AND (', '"unclosed', 'AND', 'title:', '((((', '-', '*', 'NOT', 'province:'):
            with self.subTest(q=q):
                obj = self.daemon.search([("q", q)])
                self.assertIsInstance(obj["total"], int)

    def test_text_and_facet(self):
        all_n = self.ids([("q", "nurses")])
        on = self.ids([("q", "nurses"), ("province", "ON")])
        self.assertTrue(on)
        self.assertTrue(on <= all_n)
        for rid in on:
            self.assertIn("ON", self.records[rid]["province"])
        in_text = self.ids([("q", "nurses province:ON")])
        self.assertEqual(in_text, on)

    def test_text_facet_counts_consistent(self):
        # With a text query, each facet's counts are those of the hits the search would give with
        # that facet's own selection left out (lang is counted without the pair collapse: skipped).
        def counts(hits, facet):
            out = {}
            for h in hits:
                vals = h[facet] if isinstance(h[facet], list) else [h[facet]]
                for v in vals:
                    out[v] = out.get(v, 0) + 1
            return out

        for params in ([("q", "nurses")], [("q", "credential assessment"), ("province", "ON")],
                       [("q", "mentorship"), ("topic", "mentorship"), ("type", "initiative"), ("type", "report")]):
            with self.subTest(params=params):
                obj = self.daemon.search(params + [("per_page", "1")])
                total, hits = self.daemon.search_all(params, per_page=100)
                self.assertEqual(total, len(hits))
                self.assertGreater(total, 0)
                selected = {k for k, _ in params if k != "q"}
                for facet in ("province", "profession", "topic", "type"):
                    base = [p for p in params if p[0] != facet]
                    _, base_hits = self.daemon.search_all(base, per_page=100)
                    got = {r["value"]: r["count"] for r in obj["facets"][facet] if r["count"] > 0}
                    self.assertEqual(got, counts(base_hits, facet), facet)
                    if facet not in selected:
                        self.assertEqual(got, counts(hits, facet), facet)

    def test_lang_field_in_query(self):
        # lang:fr typed in the query selects French records like the lang=fr parameter does.
        for ui in ("en", "fr"):
            with self.subTest(ui_lang=ui):
                param = self.ids([("lang", "fr"), ("ui_lang", ui)])
                field = self.ids([("q", "lang:fr"), ("ui_lang", ui)])
                self.assertEqual(len(param), sum(1 for r in self.records.values() if r["lang"] == "fr"))
                self.assertEqual(field, param, "lang:fr misses %d French records" % len(param - field))


if __name__ == "__main__":
    harness.main()
