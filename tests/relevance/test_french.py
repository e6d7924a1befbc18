#!/usr/bin/env python3
"""test_french.py - search quality in both official languages, as a table of cases.

Each case is a query typed in the French or English UI, with records of corpus/records that must be
among the first N hits and records that must not be found at all. Every case also carries the proof
that it tests what it says: patterns that must not occur in the text of its expected records (their
own and their translation's, which their index document carries), so a record can only be found
through the feature under test (elision stripping, accent folding, stemming, labels indexed in both
languages), not because it contains the query as typed. Cases cover elisions, accents, plural and
feminine forms, cross-language vocabulary matches, EN/FR pairs shown once in the UI language and
did_you_mean. A case that fails names the part of the analysis at fault in its `why`.

Runs the real iqn-index and iqn-searchd (tests/integration/harness.py), Python 3 stdlib only:
    python3 tests/relevance/test_french.py --index build/indexer/iqn-index \
        --searchd build/searchd/iqn-searchd --source . [FrenchCases.test_fr_elision_l]
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness  # noqa: E402
from harness import Config  # noqa: E402

NOT_NURSING = r"(?i)infirmi|nurse"


class Case:
    """One row of the table.

    q, ui_lang, params: the search (params: extra filters such as lang or province);
    top: how deep `must` records may be; must: ids that must be in the first `top` hits;
    must_not: ids that must not match at all (every page is read);
    absent: patterns (Python re) that must not occur in the text of any `must` record, so the case
    really exercises the feature; present: patterns that must occur in each (the form the feature
    has to reach); tagged: (facet, code) every `must` record carries;
    did_you_mean: the expected suggestion (None: none expected; omitted: not checked);
    pairs_once: no hit's translation is also a hit, and paired hits are in ui_lang;
    why: what the case exercises (printed when it fails)."""

    UNSET = object()

    def __init__(self, cid, ui_lang, q, why, params=(), top=10, must=(), must_not=(), absent=(), present=(),
                 tagged=None, did_you_mean=UNSET, pairs_once=False):
        self.id, self.ui_lang, self.q, self.why = cid, ui_lang, q, why
        self.params = list(params)
        self.top, self.must, self.must_not = top, list(must), list(must_not)
        self.absent, self.present, self.tagged = list(absent), list(present), tagged
        self.did_you_mean, self.pairs_once = did_you_mean, pairs_once


CASES = [
    # ---- elisions: l', d', qu' are stripped at index and query time, typographic apostrophes too ----
    Case("fr-elision-l", "fr", "l'évaluation",
         "l' stripped from the query: records that say d'évaluation or Évaluation but never l'évaluation",
         must=["central-on-delais-evaluation-diplomes-fr", "national-medecins-stage-evaluation-lecon-2016"],
         absent=[r"(?i)\bl['’]\s*[ée]valuation"], present=[r"[ée]valuation"]),
    Case("fr-elision-d-typographic", "fr", "d\u2019ingénieurs",
         "d’ (U+2019) stripped from the query; the records have d'ingénieurs (ASCII) or no d' at all",
         top=30,
         must=["east-qc-tableau-bord-marche-travail", "national-mentorat-ingenieurs-trois-provinces-2013",
               "national-ingenieurs-civils-examen-professionnel-2010"],
         absent=["\u2019"], present=[r"ingénieurs"]),
    Case("fr-elision-decomposed", "fr", "d\u2019inge\u0301nieurs",
         "typographic apostrophe and a decomposed accent (e + U+0301) together",
         must=["national-mentorat-ingenieurs-trois-provinces-2013",
               "national-ingenieurs-civils-examen-professionnel-2010"],
         absent=["\u0301", r"\binge"], present=[r"ingénieurs"]),
    # Its stop words (est, un, pas) are terms apart without positions (docs/DESIGN.md, "Stop words
    # apart"): the phrase is "premier" in records that hold them, so the record is among the first ten.
    Case("fr-elision-qu-phrase", "fr", "\"n\u2019est qu\u2019un premier pas\"",
         "a phrase whose words carry elisions (n’, qu’) matches the text written with ASCII apostrophes",
         top=10, must=["central-on-experience-canadienne-ingenieurs-lecon"],
         absent=["\u2019"], present=[r"n'est qu'un premier pas"]),

    # ---- accents: folded at index and query time ----
    Case("fr-accent-diplomes", "fr", "diplomes", "diplomes (no accent) finds diplômes",
         must=["central-on-delais-evaluation-diplomes-fr", "west-mb-lecon-evaluation-diplomes-en-francais-2016"],
         absent=[r"(?i)\bdiplomes\b"], present=[r"diplômes"]),
    Case("fr-accent-quebec", "fr", "Quebec", "Quebec (no accent) finds a French record that writes Québec",
         params=[("lang", "fr")], must=["national-delais-evaluation-diplomes-quebec-2024"],
         absent=[r"(?i)quebec"], present=[r"Québec"]),
    Case("fr-accent-ecole", "fr", "école", "école finds records that only say écoles (plural)",
         top=20, must=["east-nb-enseignants-recrutement-international", "east-pe-francophones-petite-enfance-rapport"],
         absent=[r"(?i)\b[ée]cole\b"], present=[r"écoles"]),
    Case("fr-accent-ecole-upper", "fr", "ECOLE",
         "ECOLE in capitals finds what école finds, records that only say écoles included (a capitalised "
         "word must be stemmed like a lower-case one)",
         top=20, must=["east-nb-enseignants-recrutement-international", "east-pe-francophones-petite-enfance-rapport"],
         absent=[r"(?i)\b[ée]cole\b"], present=[r"écoles"]),

    # ---- plural and feminine forms (French stemming) ----
    Case("fr-plural-infirmieres", "fr", "infirmières",
         "plural finds the singular: a record that only says infirmière (and is tagged with no nursing code)",
         params=[("province", "CA")], top=20, must=["national-systeme-suivi-parcours-qualifications-2026"],
         absent=[r"(?i)infirmi[eè]res|infirmiers?\b"], present=[r"infirmière\b"]),
    Case("fr-singular-infirmiere", "fr", "infirmière",
         "singular finds the plural: a record that only says infirmières",
         params=[("province", "QC")], top=20, must=["national-medecins-stage-evaluation-lecon-2016"],
         absent=[r"(?i)infirmi[eè]re\b|infirmiers?\b"], present=[r"infirmières"]),
    Case("fr-masculine-finds-feminine", "fr", "infirmier",
         "infirmier finds a record that only says infirmières (French stemming must conflate -ier and -ière)",
         params=[("province", "QC")], top=20, must=["national-medecins-stage-evaluation-lecon-2016"],
         absent=[r"(?i)infirmiers?\b"], present=[r"infirmières"]),
    Case("fr-feminine-finds-masculine", "fr", "infirmière",
         "infirmière finds a record that only says infirmiers",
         params=[("province", "ON")], top=20, must=["central-on-forum-ottawa-reconnaissance-2023"],
         absent=[r"(?i)infirmi[eè]res?\b"], present=[r"infirmiers"]),
    Case("fr-capitalised-plural", "fr", "Infirmières",
         "a capitalised first word (phones capitalise it) is stemmed too: Infirmières finds infirmière",
         params=[("province", "CA")], top=20, must=["national-systeme-suivi-parcours-qualifications-2026"],
         absent=[r"(?i)infirmi[eè]res|infirmiers?\b"], present=[r"infirmière\b"]),

    # ---- cross-language vocabulary: labels of a record's codes are indexed in both languages ----
    Case("xl-infirmiere-autorisee", "fr", "infirmière autorisée",
         "French profession label finds English records tagged 31301 (their text has no French nursing word)",
         params=[("lang", "en")], top=10,
         must=["central-on-nurses-pre-arrival-portal", "west-ab-nurses-celban-preparation-lesson-2017",
               "national-nursing-single-intake-2020"],
         must_not=["west-mb-plumbing-occupation-language-2015", "west-bc-software-engineer-title-lesson-2023"],
         absent=[r"(?i)infirmi|autoris"], tagged=("profession", "31301")),
    Case("xl-colombie-britannique", "fr", "Colombie-Britannique",
         "French province label finds English BC records that never say Colombie",
         params=[("lang", "en")], top=20,
         must=["west-bc-dietitian-competency-gap-2012", "west-bc-credential-faq-page",
               "west-bc-construction-trades-lmi-2021"],
         must_not=["central-on-nurses-pre-arrival-portal", "east-pe-ien-pathway"],
         absent=[r"(?i)colombie"], tagged=("province", "BC")),
    Case("xl-registered-nurses", "fr", "registered nurses",
         "English profession label, French UI: French records tagged 31301 (no English word in their text)",
         params=[("lang", "fr")], top=30,
         must=["east-ns-acadie-recrutement-infirmieres", "central-yt-infirmieres-lecon-fr",
               "west-mb-accueil-infirmieres-francophones-2022"],
         must_not=["west-sk-lecon-soudeurs-francophones-2022", "east-qc-juristes-formation-appoint"],
         absent=[r"(?i)registered|nurse"], tagged=("profession", "31301")),
    Case("xl-credential-assessment-fr-ui", "fr", "évaluation des diplômes",
         "French topic label finds an English record tagged credential-assessment",
         params=[("lang", "en"), ("province", "BC")], top=10, must=["west-bc-credential-faq-page"],
         absent=[r"(?i)[ée]valuation des dipl"], tagged=("topic", "credential-assessment")),

    # ---- EN/FR pairs: one record per pair, in the UI language ----
    Case("pair-fr-ui", "fr", "Sudbury", "the pair is listed once, as its French record",
         top=10, must=["central-on-passerelle-infirmieres-sudbury"], must_not=["central-on-ien-bridge-sudbury"],
         pairs_once=True),
    Case("pair-en-ui", "en", "Sudbury", "the pair is listed once, as its English record",
         top=10, must=["central-on-ien-bridge-sudbury"], must_not=["central-on-passerelle-infirmieres-sudbury"],
         pairs_once=True),
    Case("pair-french-words-en-ui", "en", "passerelle infirmières Sudbury",
         "French words in the English UI find the pair through its French text and show the English record",
         top=3, must=["central-on-ien-bridge-sudbury"], must_not=["central-on-passerelle-infirmieres-sudbury"],
         pairs_once=True),
    Case("pair-many-fr", "fr", "programme", "every pair among many hits shows once, in French",
         top=1000, pairs_once=True),
    Case("pair-many-en", "en", "program", "every pair among many hits shows once, in English",
         top=1000, pairs_once=True),

    # ---- did_you_mean ----
    Case("dym-en", "en", "credentail assesment", "two misspelt English words", did_you_mean="credential assessment"),
    Case("dym-fr", "fr", "francisaton", "a misspelt French word", did_you_mean="francisation"),
    Case("dym-fr-stopword", "fr", "reconnaisance des aquis",
         "misspelt words around a stop word: the stop word is not a misspelling (des must stay des)",
         did_you_mean="reconnaissance des acquis"),
    Case("dym-fr-keeps-accents", "fr", "accueuil des infirmières",
         "only the misspelt word changes: words typed right keep their accents (infirmières)",
         did_you_mean="accueil des infirmières"),
    Case("dym-fr-none", "fr", "infirmières formées à l'étranger", "a correct French query gets no suggestion",
         did_you_mean=None),
]


def case_text(records, rid):
    """The text of rid's index document: its own text fields and its translation's."""
    recs = [records[rid]]
    p = harness.partner(records, recs[0])
    if p is not None:
        recs.append(p)
    return "\n".join(r[f] for r in recs for f in harness.TEXT_FIELDS if isinstance(r.get(f), str))


class FrenchCases(unittest.TestCase):
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

    def check_proof(self, c):
        """The case is meaningful: its records exist and are found only through the feature."""
        for rid in c.must + c.must_not:
            self.assertTrue(rid in self.records, "%s: record %s is not in the corpus" % (c.id, rid))
        for rid in c.must:
            text = case_text(self.records, rid)
            for pat in c.absent:
                m = re.search(pat, text)
                self.assertIsNone(m, "%s: proof: %s contains %r (%r), so the case would not test its feature"
                                  % (c.id, rid, pat, m and m.group(0)))
            for pat in c.present:
                self.assertRegex(text, pat, "%s: proof: %s lacks %r" % (c.id, rid, pat))
            if c.tagged:
                facet, code = c.tagged
                self.assertIn(code, harness.facet_values(self.records[rid], facet),
                              "%s: proof: %s is not tagged %s %s" % (c.id, rid, facet, code))

    def run_case(self, c):
        self.check_proof(c)
        params = [("q", c.q), ("ui_lang", c.ui_lang)] + c.params
        first = self.daemon.search(params + [("per_page", str(min(max(c.top, 1), 100)))])
        top_ids = [h["id"] for h in first["hits"]][:c.top]
        if c.top > 100:
            _, hits = self.daemon.search_all(params, per_page=100)
            top_ids = [h["id"] for h in hits][:c.top]
        explain = "%s (%s): q=%r ui_lang=%s %s" % (c.id, c.why, c.q, c.ui_lang, c.params)
        for rid in c.must:
            self.assertTrue(rid in top_ids, "%s: %s not in the first %d hits %s" % (explain, rid, c.top, top_ids))
        if c.must_not or c.pairs_once:
            _, hits = self.daemon.search_all(params, per_page=100)
            ids = [h["id"] for h in hits]
            for rid in c.must_not:
                self.assertFalse(rid in ids, "%s: %s must not match (rank %d)" % (
                    explain, rid, ids.index(rid) + 1 if rid in ids else 0))
            if c.pairs_once:
                self.assertTrue(ids, "%s: no hits" % explain)
                seen = set(ids)
                for h in hits:
                    rec = self.records.get(h["id"])
                    p = rec and harness.partner(self.records, rec)
                    if p is None:
                        continue
                    self.assertFalse(p["id"] in seen, "%s: both %s and its pair %s are listed" % (
                        explain, h["id"], p["id"]))
                    self.assertEqual(h["lang"], c.ui_lang, "%s: paired %s is shown in %s" % (
                        explain, h["id"], h["lang"]))
        if c.did_you_mean is not Case.UNSET:
            self.assertEqual(first.get("did_you_mean"), c.did_you_mean, "%s: did_you_mean" % explain)


def make_test(c):
    def test(self):
        self.run_case(c)
    test.__doc__ = "%s: %s" % (c.id, c.why)
    return test


for _c in CASES:
    setattr(FrenchCases, "test_" + re.sub(r"\W", "_", _c.id), make_test(_c))


class TableShape(unittest.TestCase):
    def test_ids_unique(self):
        ids = [c.id for c in CASES]
        self.assertEqual(len(ids), len(set(ids)))


if __name__ == "__main__":
    harness.main()
