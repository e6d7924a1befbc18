/* analysis.hh - how text becomes terms, at index time (C++, inside the shim only): folding, the
 * English and French stemmers, the stop word lists, and iqn's own term generator.
 *
 * iqn indexes stems only ("Z" + stem, with positions) and keeps stop words as terms apart, the
 * word without positions (docs/DESIGN.md). The words of a text are those Xapian's TermGenerator
 * would make (the query parser splits a query by the same rules, so that phrases line up): the
 * TermGen here splits a text by those rules itself, with a table for ASCII and Xapian's Unicode
 * tables beyond, and hands each word to the stemmer and stop list directly. Xapian's own
 * TermGenerator, used before, spent a fifth of a first import's CPU there, decoding each
 * character through its Unicode tables and asking a std::set about every word. Unit tests index
 * texts both ways and require identical documents (iqn_analysis_check). */
#ifndef IQN_ANALYSIS_HH
#define IQN_ANALYSIS_HH

#include <xapian.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "buf.h"

namespace iqn_analysis {

/* Text folded for indexing and queries (text.h): accents, ligatures, apostrophes, elisions. */
std::string fold(const char *s, size_t len, int lower);

/* A new stemmer for lang ("en", "fr"; anything else: none). */
Xapian::Stem stemmer_for(const char *lang);
/* The stop word list of lang; both languages' for null (a query may be in either). */
const Xapian::Stopper *stopper_for(const char *lang);

/* A set of words looked up by bytes, without making a string (open addressing, iqn_hash64). */
class WordSet {
    std::vector<std::string> slots; /* a power of two of them, "" where empty */

  public:
    void build(const std::vector<std::string> &words);
    bool contains(const char *w, size_t n) const;
};

/* The stop word list of lang as a WordSet (both languages' for anything but "en" and "fr"). */
const WordSet &stop_set_for(const char *lang);

/* A stemmer that remembers what it has made, up to a bound, and can count the words it is given:
 * the index holds stems only, so a bulk build takes its spelling data (the words as written) from
 * here, where every word indexed passes. The count rides in the cache entry (one hash lookup a
 * word) and is moved to words when the cache is emptied or flushed. */
class CachedStem : public Xapian::StemImplementation {
    struct entry {
        std::string stem;
        Xapian::termcount seen = 0;
        bool stemmed = false; /* stem is made (stop words are not stemmed unless asked) */
        bool stop = false;    /* a word of stops */
    };
    Xapian::Stem inner;
    std::string name;
    const WordSet *stop_words;
    std::unordered_map<std::string, entry> made;

    entry &find(const std::string &word);

  public:
    std::unordered_map<std::string, Xapian::termcount> *words = nullptr; /* counted into when set */

    /* stops: the language's stop words, remembered with each word's stem */
    CachedStem(Xapian::Stem stem, const char *description, const WordSet *stops)
        : inner(std::move(stem)), name(description), stop_words(stops) {}
    /* Move the counts made so far into words. */
    void flush();
    /* The stem of word, valid until the next call. */
    const std::string &stem(const std::string &word);
    /* Null when word is one of the stop words given, else its stem (valid until the next call):
     * one lookup for both questions. A stop word is not counted. */
    const std::string *stem_unless_stop(const std::string &word);
    const WordSet *stops() const { return stop_words; }
    std::string operator()(const std::string &word) override { return stem(word); }
    std::string get_description() const override { return name; }
};

/* A stop word list that also keeps each stop word it is asked about as a term of doc (the word
 * itself, no prefix, no position) when doc is set: Xapian's TermGenerator with STOP_ALL asks once
 * per word, and indexes stop words no further. */
class StopWordTerms : public Xapian::Stopper {
    const Xapian::Stopper *inner;

  public:
    Xapian::Document *doc = nullptr;
    explicit StopWordTerms(const Xapian::Stopper *list) : inner(list) {}
    bool operator()(const std::string &word) const override;
};

/* The stemmers and stop lists one indexing thread uses, each for its own use. */
struct index_stems {
    Xapian::Stem en, fr;
    CachedStem *en_impl, *fr_impl; /* owned by en and fr */
    StopWordTerms en_stop, fr_stop, both_stop;
    index_stems();
    Xapian::Stem get(const char *lang) const;
    CachedStem *cached(const char *lang) const; /* null: no stemmer for lang */
    StopWordTerms *stopper(const char *lang);
    /* Keep stop words as terms of doc (null: of no document). */
    void keep_stops_in(Xapian::Document *doc);
    /* Count every word indexed from now on into words (null: stop counting); the counts so far
     * go to the map given before. */
    void count_words(std::unordered_map<std::string, Xapian::termcount> *words);
};

/* Indexes text into a document as Xapian's TermGenerator would with STEM_ALL_Z and the stop
 * strategy given (STOP_ALL keeping stop words as terms apart, or STOP_NONE), the stemmer and
 * stop list of a language from index_stems, and FLAG_SPELLING when a spelling database is set.
 * With XAPIAN_CJK_NGRAM in the environment (Xapian's query parser then splits CJK text into
 * n-grams) the work goes to Xapian's TermGenerator, which does the same. */
class TermGen {
    Xapian::TermGenerator xtg; /* Xapian's: for CJK n-grams, and to check ours against */
    bool use_xapian;
    Xapian::Document *doc = nullptr;
    Xapian::termpos termpos = 0;
    bool stop_all = true;
    CachedStem *stem = nullptr;
    StopWordTerms *stop = nullptr;
    const WordSet *stop_set = nullptr;
    Xapian::WritableDatabase *spelling = nullptr;
    std::string word, term, folded; /* scratch, reused */
    struct iqn_buf fbuf;            /* fold_text's, reused */

    void add_word(const std::string &w, Xapian::termcount wdf_inc, const std::string &prefix, bool positions);

  public:
    /* xapian: always use Xapian's TermGenerator (to compare with) */
    explicit TermGen(bool xapian = false);
    /* Start on doc, at position 0, stop words apart (STOP_ALL) or not. A stop word is kept as a
     * term when its StopWordTerms has a document (index_stems::keep_stops_in). */
    void set_document(Xapian::Document &doc, bool stop_all);
    void set_language(index_stems &stems, const char *lang);
    /* Add each word to db's spelling data, as FLAG_SPELLING (null: none). */
    void set_spelling(Xapian::WritableDatabase *db);
    void index_text(const std::string &text, Xapian::termcount wdf_inc = 1, const std::string &prefix = "",
                    bool positions = true);
    void increase_termpos(Xapian::termpos delta = 100);
    /* s folded for indexing (fold(s, n, 0)), in a buffer reused between calls: valid until the
     * next call. */
    const std::string &fold_text(const char *s, size_t n);
    ~TermGen();
    TermGen(const TermGen &) = delete;
    TermGen &operator=(const TermGen &) = delete;
};

/* Index text both with TermGen and with Xapian's TermGenerator (language lang, prefix, positions or
 * not) and compare the two documents: "" when they are the same, else the first difference. */
std::string compare_with_xapian(const std::string &text, const char *lang, const std::string &prefix,
                                bool positions);

} // namespace iqn_analysis

#endif
