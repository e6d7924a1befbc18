#!/usr/bin/env python3
"""test_corpus.py - index the real corpus (corpus/records/) and check, for searches without text,
the total and every facet count against counts computed independently here from the XML files:
no filter, one value, OR within a facet, AND across facets (with disjunctive facet counts), lang,
type, date ranges, `selected` flags and labels in English and French."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Config  # noqa: E402


class CorpusCounts(unittest.TestCase):
    tmp = None
    daemon = None

    @classmethod
    def setUpClass(cls):
        cls.vocab = harness.load_vocab()
        cls.records = harness.load_corpus(Config.path("corpus", "records"), cls.vocab)
        harness.index_and_serve(cls, [Config.path("corpus", "records")], "--quiet")

    @classmethod
    def tearDownClass(cls):
        harness.stop_and_clean(cls)

    # ---- helpers ----

    def check(self, params, filters, date_from=None, date_to=None, ui_lang="en"):
        """Search with params (no text) and compare total, every facet count and every
        `selected` flag with the independent computation."""
        obj = self.daemon.search(list(params) + [("per_page", "1")])
        total, facets = harness.expected_counts(self.records, filters, date_from, date_to)
        self.assertEqual(obj["total"], total, "total for %r" % (params,))
        self.assertEqual(set(obj["facets"].keys()), set(harness.FACETS))
        for facet in harness.FACETS:
            rows = obj["facets"][facet]
            got = {r["value"]: r["count"] for r in rows}
            self.assertEqual(len(got), len(rows), "%s: a value listed twice for %r" % (facet, params))
            self.assertEqual(got, facets[facet], "facet %s for %r" % (facet, params))
            selected = set(filters.get(facet, ()))
            for r in rows:
                self.assertIs(r["selected"], r["value"] in selected,
                              "%s=%s selected flag for %r" % (facet, r["value"], params))
                labels = self.vocab[facet].get(r["value"])
                self.assertIsNotNone(labels, "%s=%s not in the vocabulary" % (facet, r["value"]))
                self.assertEqual(r["label"], labels[0 if ui_lang == "en" else 1],
                                 "%s=%s label (%s)" % (facet, r["value"], ui_lang))
            counts = [r["count"] for r in rows]
            self.assertEqual(counts, sorted(counts, reverse=True), "%s: rows not largest first" % facet)
        return obj

    # ---- tests ----

    def test_index_summary(self):
        s = self.index_run.summary
        self.assertIsNotNone(s, "no summary line: %r" % self.index_run)
        self.assertEqual(s["failed"], 0, self.index_run.stderr[-2000:])
        self.assertEqual(s["added"], len(self.records))
        self.assertEqual(s["updated"] + s["unchanged"], s["records"] - s["added"])
        xml_files = [p for p in harness.corpus_files(Config.path("corpus", "records")) if p.endswith(".xml")]
        self.assertEqual(s["files"], len(xml_files))
        self.assertGreaterEqual(len(self.records), 100, "the corpus looks too small")

    def test_healthz_documents(self):
        status, obj = self.daemon.get_json("/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(obj["status"], "ok")
        self.assertEqual(obj["documents"], len(self.records))

    def test_no_filter(self):
        obj = self.check([], {})
        # Both records of an EN/FR pair are indexed; a search shows the one in the UI language.
        self.assertEqual(obj["total"], harness.visible_count(self.records, "en"))
        self.assertLessEqual(obj["total"], len(self.records))
        lang = {r["value"]: r["count"] for r in obj["facets"]["lang"]}
        self.assertEqual(sum(lang.values()), len(self.records))
        for facet in ("province", "topic", "type", "lang"):
            self.assertTrue(obj["facets"][facet], "facet %s is empty on the whole corpus" % facet)

    def test_province_qc(self):
        obj = self.check([("province", "QC")], {"province": ["QC"]})
        self.assertGreater(obj["total"], 0)
        # Disjunctive: the province counts are those of the whole corpus.
        _, unfiltered = harness.expected_counts(self.records, {})
        got = {r["value"]: r["count"] for r in obj["facets"]["province"]}
        self.assertEqual(got, unfiltered["province"])

    def test_province_lowercase_is_canonicalised(self):
        obj = self.check([("province", "qc")], {"province": ["QC"]})
        self.assertGreater(obj["total"], 0)

    def test_province_or(self):
        obj = self.check([("province", "QC"), ("province", "ON")], {"province": ["QC", "ON"]})
        qc = self.daemon.search([("province", "QC")])["total"]
        on = self.daemon.search([("province", "ON")])["total"]
        self.assertGreaterEqual(obj["total"], max(qc, on))
        self.assertLessEqual(obj["total"], qc + on)
        selected = sorted(r["value"] for r in obj["facets"]["province"] if r["selected"])
        self.assertEqual(selected, ["ON", "QC"])

    def test_province_and_topic(self):
        params = [("province", "ON"), ("topic", "licensure")]
        obj = self.check(params, {"province": ["ON"], "topic": ["licensure"]})
        # Disjunctive: each facet is counted with only the other facet's selection applied.
        _, topic_only = harness.expected_counts(self.records, {"topic": ["licensure"]})
        _, province_only = harness.expected_counts(self.records, {"province": ["ON"]})
        got_p = {r["value"]: r["count"] for r in obj["facets"]["province"]}
        got_t = {r["value"]: r["count"] for r in obj["facets"]["topic"]}
        want_p = dict(topic_only["province"])
        want_p.setdefault("ON", 0)
        want_t = dict(province_only["topic"])
        want_t.setdefault("licensure", 0)
        self.assertEqual(got_p, want_p)
        self.assertEqual(got_t, want_t)
        # AND: the total is the intersection of the two single-facet searches.
        _, on = self.daemon.search_all([("province", "ON")], per_page=100)
        _, lic = self.daemon.search_all([("topic", "licensure")], per_page=100)
        self.assertEqual(obj["total"], len({h["id"] for h in on} & {h["id"] for h in lic}))

    def test_three_facets(self):
        params = [("province", "QC"), ("province", "CA"), ("topic", "credential-assessment"),
                  ("topic", "language-training"), ("type", "report"), ("type", "initiative")]
        self.check(params, {"province": ["QC", "CA"], "topic": ["credential-assessment", "language-training"],
                            "type": ["report", "initiative"]})

    def test_lang(self):
        obj = self.check([("lang", "fr")], {"lang": ["fr"]})
        fr = sum(1 for r in self.records.values() if r["lang"] == "fr")
        self.assertEqual(obj["total"], fr)
        self.assertGreater(fr, 0)
        en = self.daemon.search([("lang", "en")])["total"]
        self.assertEqual(en + fr, len(self.records))

    def test_type_counts(self):
        for code in self.vocab["type"]:
            with self.subTest(type=code):
                want, _ = harness.expected_counts(self.records, {"type": [code]})
                obj = self.daemon.search([("type", code), ("per_page", "1")])
                self.assertEqual(obj["total"], want)
                # Both languages selected: no pair is collapsed, every record of the type counts.
                raw = sum(1 for r in self.records.values() if r["type"] == code)
                obj = self.daemon.search([("type", code), ("lang", "en"), ("lang", "fr"), ("per_page", "1")])
                self.assertEqual(obj["total"], raw)

    def test_pairs_collapsed(self):
        paired = [r for r in self.records.values() if harness.partner(self.records, r) is not None]
        self.assertTrue(paired, "the corpus has no EN/FR pairs")
        for ui in ("en", "fr"):
            with self.subTest(ui_lang=ui):
                obj = self.check([("ui_lang", ui)], {}, ui_lang=ui)
                self.assertEqual(obj["total"], harness.visible_count(self.records, ui))
                _, hits = self.daemon.search_all([("ui_lang", ui)], per_page=100)
                ids = {h["id"] for h in hits}
                for r in paired:
                    self.assertEqual(r["id"] in ids, r["lang"] == ui, r["id"])
        both = self.check([("lang", "en"), ("lang", "fr")], {"lang": ["en", "fr"]})
        self.assertEqual(both["total"], len(self.records))

    def test_profession(self):
        counts = {}
        for r in self.records.values():
            for c in r["profession"]:
                counts[c] = counts.get(c, 0) + 1
        self.assertTrue(counts, "no profession codes in the corpus")
        top = sorted(counts, key=lambda c: (-counts[c], c))[:2]
        self.check([("profession", c) for c in top], {"profession": top})

    def test_selected_value_without_matches(self):
        # A selected value keeps its row (count 0) even when nothing matches it together with the rest.
        empty = None
        for code in self.vocab["province"]:
            total, _ = harness.expected_counts(self.records, {"province": [code], "type": ["event"]})
            if total == 0:
                empty = code
                break
        if empty is None:
            self.skipTest("every province has an event")
        obj = self.check([("province", empty), ("type", "event")], {"province": [empty], "type": ["event"]})
        self.assertEqual(obj["total"], 0)
        self.assertEqual(obj["hits"], [])

    def test_date_ranges(self):
        cases = [("2019", "2021"), ("2020-06", None), (None, "2018-12"), ("2019-03-15", "2019-09-30"),
                 ("2021", "2021"), ("1990", "2100")]
        for date_from, date_to in cases:
            with self.subTest(date_from=date_from, date_to=date_to):
                params = []
                if date_from:
                    params.append(("from", date_from))
                if date_to:
                    params.append(("to", date_to))
                self.check(params, {}, date_from, date_to)
        # With a facet too.
        self.check([("from", "2020"), ("province", "ON")], {"province": ["ON"]}, "2020", None)
        dated, _ = harness.expected_counts(self.records, {}, "0001", None)
        self.assertEqual(self.daemon.search([("from", "0001")])["total"], dated)
        self.assertEqual(dated, sum(1 for rid, r in self.records.items() if r.get("date")
                                    and rid not in harness.hidden_ids(self.records, "en", {})))

    def test_labels_fr(self):
        self.check([("province", "QC"), ("ui_lang", "fr")], {"province": ["QC"]}, ui_lang="fr")
        obj = self.daemon.search([("province", "QC"), ("ui_lang", "fr")])
        labels = {r["value"]: r["label"] for r in obj["facets"]["province"]}
        self.assertEqual(labels["QC"], "Québec")
        obj = self.daemon.search([("province", "QC"), ("ui_lang", "en")])
        labels = {r["value"]: r["label"] for r in obj["facets"]["province"]}
        self.assertEqual(labels["QC"], "Quebec")

    def test_labels_topic_type(self):
        for lang, i in (("en", 0), ("fr", 1)):
            obj = self.daemon.search([("ui_lang", lang), ("per_page", "1")])
            for facet in ("topic", "type", "lang"):
                for r in obj["facets"][facet]:
                    self.assertEqual(r["label"], self.vocab[facet][r["value"]][i], (lang, facet, r["value"]))
        obj = self.daemon.search([("ui_lang", "fr"), ("topic", "credential-assessment")])
        row = [r for r in obj["facets"]["topic"] if r["value"] == "credential-assessment"][0]
        self.assertEqual(row["label"], "Évaluation des diplômes")


if __name__ == "__main__":
    harness.main()
