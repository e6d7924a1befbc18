/* analysis.cc - folding, stemmers, stop lists and iqn's term generator (see analysis.hh). */
#include "analysis.hh"

#include <cstdlib>
#include <cstring>

#include "buf.h"
#include "record.h"
#include "stopwords.h"
#include "text.h"

namespace iqn_analysis {

std::string fold(const char *s, size_t len, int lower)
{
    struct iqn_buf b;
    iqn_buf_init(&b, (size_t)IQN_BODY_MAX * 2);
    iqn_text_fold(s, len, lower, &b);
    std::string out = b.data ? std::string(b.data, b.len) : std::string();
    iqn_buf_free(&b);
    return out;
}

namespace {

/* The French Snowball stemmer on folded text. Its rules key on accented endings, which folding
 * removed (infirmière and infirmier both stem to "infirmi", but "infirmiere" to "infirmier"), so the
 * common ones are put back first; the stem is folded again, like everything we index. */
class FoldedFrenchStem : public Xapian::StemImplementation {
    Xapian::Stem french{"french"};

  public:
    std::string operator()(const std::string &word) override
    {
        static const struct {
            const char *folded, *accented;
        } endings[] = {{"ieres", "ières"}, {"iere", "ière"}, {"ees", "ées"}, {"ee", "ée"}, {"ites", "ités"}, {"ite", "ité"}};
        std::string w = word;
        for (const auto &e : endings) {
            size_t n = std::strlen(e.folded);
            if (w.size() > n + 2 && w.compare(w.size() - n, n, e.folded) == 0) {
                w.replace(w.size() - n, n, e.accented);
                break;
            }
        }
        std::string stem = french(w);
        return fold(stem.data(), stem.size(), 1);
    }
    std::string get_description() const override
    {
        return "french, folded";
    }
};

/* The stop lists, as Xapian stoppers (the query parser's and Xapian's TermGenerator's) and as
 * WordSets (ours): per language for indexing, both together for queries. */
struct stop_lists {
    Xapian::SimpleStopper en, fr, both;
    WordSet en_set, fr_set, both_set;
    stop_lists()
    {
        std::vector<std::string> e, f, b;
        for (const char *const *w = iqn_stopwords("en"); *w; w++) {
            en.add(*w);
            both.add(*w);
            e.push_back(*w);
            b.push_back(*w);
        }
        for (const char *const *w = iqn_stopwords("fr"); *w; w++) {
            fr.add(*w);
            both.add(*w);
            f.push_back(*w);
            b.push_back(*w);
        }
        en_set.build(e);
        fr_set.build(f);
        both_set.build(b);
    }
};

const stop_lists &stops()
{
    static const stop_lists s;
    return s;
}

/* ---- Splitting text into words, by the rules of Xapian 1.4's TermGenerator ----
 * A word starts at a word character (a letter, mark, number or connector punctuation, in
 * Unicode's categories), lower-cased. Runs of ASCII capitals separated by '.' are one word
 * (acronyms: "U.S.A." is "usa") unless a word character follows. Inside a word, the apostrophe
 * (and U+2019, U+201B, as an apostrophe), '&', U+00B7, U+05F4 and U+2027 join word characters;
 * between digits ',', '.', ';' and a few others join them too; zero-width characters join and are
 * dropped. Up to three '+' or '#' end a word ("c++") unless a word character follows them. */

const unsigned IGNORED = 0xffffffffu; /* an infix that joins but is not kept */

struct ascii_classes {
    unsigned char lower[128]; /* the lower-cased word character, 0 where not a word character */
    ascii_classes()
    {
        for (unsigned c = 0; c < 128; c++)
            lower[c] = Xapian::Unicode::is_wordchar(c) ? (unsigned char)Xapian::Unicode::tolower(c) : 0;
    }
};

const ascii_classes &ascii()
{
    static const ascii_classes a;
    return a;
}

/* The code point at s[i] of valid UTF-8 (checked before) and its length. */
inline unsigned decode_at(const unsigned char *s, size_t i, size_t *len)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    if (c < 0xe0) {
        *len = 2;
        return ((c & 0x1f) << 6) | (s[i + 1] & 0x3f);
    }
    if (c < 0xf0) {
        *len = 3;
        return ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f);
    }
    *len = 4;
    return ((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12) | ((s[i + 2] & 0x3f) << 6) | (s[i + 3] & 0x3f);
}

/* The lower-cased code point if c is a word character, else 0. */
inline unsigned word_lower(const ascii_classes &a, unsigned c)
{
    if (c < 128)
        return a.lower[c];
    return Xapian::Unicode::is_wordchar(c) ? Xapian::Unicode::tolower(c) : 0;
}

inline bool is_wordchar(const ascii_classes &a, unsigned c)
{
    return c < 128 ? a.lower[c] != 0 : Xapian::Unicode::is_wordchar(c);
}

inline bool is_digit(unsigned c)
{
    if (c < 128)
        return c >= '0' && c <= '9';
    return Xapian::Unicode::get_category(c) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}

inline bool is_zero_width(unsigned c)
{
    return c >= 0x200b && (c <= 0x200d || c == 0x2060 || c == 0xfeff);
}

inline unsigned infix(unsigned c)
{
    if (c == '\'' || c == '&' || c == 0xb7 || c == 0x5f4 || c == 0x2027)
        return c;
    if (c == 0x2019 || c == 0x201b)
        return '\'';
    return is_zero_width(c) ? IGNORED : 0;
}

inline unsigned infix_digit(unsigned c)
{
    switch (c) {
    case ',':
    case '.':
    case ';':
    case 0x037e:
    case 0x0589:
    case 0x060d:
    case 0x07f8:
    case 0x2044:
    case 0xfe10:
    case 0xfe13:
    case 0xfe14:
        return c;
    }
    return is_zero_width(c) ? IGNORED : 0;
}

inline bool is_ascii_upper(unsigned c)
{
    return c >= 'A' && c <= 'Z';
}

inline void append_utf8(std::string &out, unsigned c)
{
    if (c < 0x80) {
        out += (char)c;
    } else if (c < 0x800) {
        out += (char)(0xc0 | (c >> 6));
        out += (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        out += (char)(0xe0 | (c >> 12));
        out += (char)(0x80 | ((c >> 6) & 0x3f));
        out += (char)(0x80 | (c & 0x3f));
    } else {
        out += (char)(0xf0 | (c >> 18));
        out += (char)(0x80 | ((c >> 12) & 0x3f));
        out += (char)(0x80 | ((c >> 6) & 0x3f));
        out += (char)(0x80 | (c & 0x3f));
    }
}

/* Call word(w) for each word of text (valid UTF-8), w a string reused between calls. */
template <typename F> void split_words(const std::string &text, std::string &w, F word)
{
    const ascii_classes &a = ascii();
    const unsigned char *s = reinterpret_cast<const unsigned char *>(text.data());
    const size_t n = text.size();
    size_t i = 0, len = 0;
    for (;;) {
        unsigned ch; /* the word character at i, lower-cased; len is its length */
        for (;;) {
            if (i >= n)
                return;
            ch = word_lower(a, decode_at(s, i, &len));
            if (ch)
                break;
            i += len;
        }
        w.clear();
        if (is_ascii_upper(s[i])) { /* initials: P.T.O., U.N.C.L.E */
            size_t p = i;
            do {
                w += (char)(s[p++] + ('a' - 'A'));
            } while (p < n && s[p] == '.' && ++p < n && is_ascii_upper(s[p]));
            if (w.size() > 1) {
                size_t l;
                if (p >= n || !is_wordchar(a, decode_at(s, p, &l))) {
                    i = p;
                    goto end_of_word;
                }
            }
            w.clear();
        }
        for (;;) {
            unsigned prev;
            do {
                append_utf8(w, ch);
                prev = ch;
                i += len;
                if (i >= n)
                    goto end_of_word;
                ch = word_lower(a, decode_at(s, i, &len));
            } while (ch);
            /* i is at a character that is not a word character: does it join two words? */
            size_t next = i + len, next_len;
            if (next >= n)
                break;
            unsigned next_raw = decode_at(s, next, &next_len);
            unsigned next_ch = word_lower(a, next_raw);
            if (!next_ch)
                break;
            unsigned here = decode_at(s, i, &len);
            unsigned join = is_digit(prev) && is_digit(next_raw) ? infix_digit(here) : infix(here);
            if (!join)
                break;
            if (join != IGNORED)
                append_utf8(w, join);
            ch = next_ch;
            i = next;
            len = next_len;
        }
        {
            size_t kept = w.size();
            unsigned count = 0;
            for (;;) {
                unsigned c = decode_at(s, i, &len);
                if (c != '+' && c != '#')
                    break;
                if (++count > 3) {
                    w.resize(kept);
                    break;
                }
                w += (char)c;
                i += len;
                if (i >= n)
                    goto end_of_word;
            }
            if (is_wordchar(a, decode_at(s, i, &len))) /* fish+chips is not "fish+" and "chips" */
                w.resize(kept);
        }
    end_of_word:
        word(w);
    }
}

/* Xapian's TermGenerator's limit: longer words are left out. */
const size_t MAX_WORD_BYTES = 64;

} // namespace

Xapian::Stem stemmer_for(const char *lang)
{
    if (lang && std::strcmp(lang, "fr") == 0)
        return Xapian::Stem(new FoldedFrenchStem);
    if (lang && std::strcmp(lang, "en") == 0)
        return Xapian::Stem("english");
    return Xapian::Stem();
}

const Xapian::Stopper *stopper_for(const char *lang)
{
    const stop_lists &s = stops();
    if (!lang)
        return &s.both;
    return std::strcmp(lang, "fr") == 0 ? &s.fr : &s.en;
}

const WordSet &stop_set_for(const char *lang)
{
    const stop_lists &s = stops();
    if (lang && std::strcmp(lang, "fr") == 0)
        return s.fr_set;
    if (lang && std::strcmp(lang, "en") == 0)
        return s.en_set;
    return s.both_set;
}

void WordSet::build(const std::vector<std::string> &words)
{
    size_t cap = 16;
    while (cap < words.size() * 4)
        cap *= 2;
    slots.assign(cap, std::string());
    for (const auto &w : words) {
        if (w.empty())
            continue;
        size_t k = (size_t)iqn_hash64(w.data(), w.size(), 0) & (cap - 1);
        while (!slots[k].empty() && slots[k] != w)
            k = (k + 1) & (cap - 1);
        slots[k] = w;
    }
}

bool WordSet::contains(const char *w, size_t n) const
{
    if (slots.empty() || n == 0)
        return false;
    size_t mask = slots.size() - 1, k = (size_t)iqn_hash64(w, n, 0) & mask;
    while (!slots[k].empty()) {
        const std::string &s = slots[k];
        if (s.size() == n && std::memcmp(s.data(), w, n) == 0)
            return true;
        k = (k + 1) & mask;
    }
    return false;
}

void CachedStem::flush()
{
    for (auto &kv : made) {
        if (words && kv.second.seen)
            (*words)[kv.first] += kv.second.seen;
        kv.second.seen = 0;
    }
}

CachedStem::entry &CachedStem::find(const std::string &word)
{
    auto it = made.find(word);
    if (it == made.end()) {
        if (made.size() >= 50000) { /* a bound on memory: a few MB */
            flush();
            made.clear();
        }
        entry e;
        e.stop = stop_words && stop_words->contains(word.data(), word.size());
        it = made.emplace(word, std::move(e)).first;
    }
    return it->second;
}

const std::string &CachedStem::stem(const std::string &word)
{
    entry &e = find(word);
    if (!e.stemmed) {
        e.stem = inner(word);
        e.stemmed = true;
    }
    e.seen += words != nullptr;
    return e.stem;
}

const std::string *CachedStem::stem_unless_stop(const std::string &word)
{
    entry &e = find(word);
    if (e.stop)
        return nullptr;
    if (!e.stemmed) {
        e.stem = inner(word);
        e.stemmed = true;
    }
    e.seen += words != nullptr;
    return &e.stem;
}

bool StopWordTerms::operator()(const std::string &word) const
{
    if (!(*inner)(word))
        return false;
    if (doc)
        doc->add_term(word);
    return true;
}

index_stems::index_stems()
    : en_impl(new CachedStem(stemmer_for("en"), "english", &stop_set_for("en"))),
      fr_impl(new CachedStem(stemmer_for("fr"), "french, folded", &stop_set_for("fr"))),
      en_stop(stopper_for("en")), fr_stop(stopper_for("fr")), both_stop(stopper_for(nullptr))
{
    en = Xapian::Stem(en_impl);
    fr = Xapian::Stem(fr_impl);
}

void index_stems::count_words(std::unordered_map<std::string, Xapian::termcount> *words)
{
    en_impl->flush();
    fr_impl->flush();
    en_impl->words = words;
    fr_impl->words = words;
}

StopWordTerms *index_stems::stopper(const char *lang)
{
    if (lang && std::strcmp(lang, "fr") == 0)
        return &fr_stop;
    if (lang && std::strcmp(lang, "en") == 0)
        return &en_stop;
    return &both_stop;
}

void index_stems::keep_stops_in(Xapian::Document *doc)
{
    en_stop.doc = fr_stop.doc = both_stop.doc = doc;
}

Xapian::Stem index_stems::get(const char *lang) const
{
    if (lang && std::strcmp(lang, "fr") == 0)
        return fr;
    if (lang && std::strcmp(lang, "en") == 0)
        return en;
    return Xapian::Stem();
}

CachedStem *index_stems::cached(const char *lang) const
{
    if (lang && std::strcmp(lang, "fr") == 0)
        return fr_impl;
    if (lang && std::strcmp(lang, "en") == 0)
        return en_impl;
    return nullptr;
}

/* ---- TermGen ---- */

TermGen::TermGen(bool xapian) : use_xapian(xapian || std::getenv("XAPIAN_CJK_NGRAM") != nullptr)
{
    xtg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    iqn_buf_init(&fbuf, (size_t)IQN_BODY_MAX * 2);
}

TermGen::~TermGen()
{
    iqn_buf_free(&fbuf);
}

const std::string &TermGen::fold_text(const char *s, size_t n)
{
    iqn_buf_reset(&fbuf);
    if (iqn_text_fold(s, n, 0, &fbuf) != 0) {
        /* over the bound, or out of memory: the buffer was freed; start again from nothing */
        iqn_buf_init(&fbuf, (size_t)IQN_BODY_MAX * 2);
        folded.clear();
        return folded;
    }
    folded.assign(fbuf.data ? fbuf.data : "", fbuf.len);
    return folded;
}

void TermGen::set_document(Xapian::Document &d, bool stops_apart)
{
    doc = &d;
    termpos = 0;
    stop_all = stops_apart;
    xtg.set_stopper_strategy(stops_apart ? Xapian::TermGenerator::STOP_ALL : Xapian::TermGenerator::STOP_NONE);
    xtg.set_document(d);
}

void TermGen::set_language(index_stems &stems, const char *lang)
{
    stem = stems.cached(lang);
    stop = stems.stopper(lang);
    stop_set = &stop_set_for(lang);
    xtg.set_stemmer(stems.get(lang));
    xtg.set_stopper(stop);
}

void TermGen::set_spelling(Xapian::WritableDatabase *db)
{
    spelling = db;
    if (db) {
        xtg.set_database(*db);
        xtg.set_flags(Xapian::TermGenerator::FLAG_SPELLING, ~Xapian::TermGenerator::FLAG_SPELLING);
    } else {
        xtg.set_flags(0, ~Xapian::TermGenerator::FLAG_SPELLING);
    }
}

void TermGen::increase_termpos(Xapian::termpos delta)
{
    if (use_xapian)
        xtg.increase_termpos(delta);
    else
        termpos += delta;
}

void TermGen::add_word(const std::string &w, Xapian::termcount wdf_inc, const std::string &prefix, bool positions)
{
    if (w.size() > MAX_WORD_BYTES)
        return;
    const std::string *st;
    if (stop_all && stem && stem->stops() == stop_set) {
        st = stem->stem_unless_stop(w); /* the stop list and the stem in one lookup */
        if (!st) {
            if (stop->doc)
                stop->doc->add_term(w);
            return;
        }
        if (spelling && prefix.empty())
            spelling->add_spelling(w);
    } else {
        if (stop_all && stop_set->contains(w.data(), w.size())) {
            if (stop->doc)
                stop->doc->add_term(w);
            return;
        }
        if (spelling && prefix.empty())
            spelling->add_spelling(w);
        if (!stem)
            return;
        st = &stem->stem(w);
    }
    if (st->empty())
        return;
    term.assign(1, 'Z');
    term += prefix;
    term += *st;
    if (positions)
        doc->add_posting(term, ++termpos, wdf_inc);
    else
        doc->add_term(term, wdf_inc);
}

void TermGen::index_text(const std::string &text, Xapian::termcount wdf_inc, const std::string &prefix,
                         bool positions)
{
    /* fold_text's output is valid UTF-8 by construction (bytes that are not become spaces) */
    if (use_xapian || (&text != &folded && !iqn_utf8_valid(text.data(), text.size()))) {
        /* Xapian reads bytes that are not UTF-8 as Latin-1: leave those to it, at our position. */
        if (!use_xapian)
            xtg.set_termpos(termpos);
        if (positions)
            xtg.index_text(text, wdf_inc, prefix);
        else
            xtg.index_text_without_positions(text, wdf_inc, prefix);
        if (!use_xapian)
            termpos = xtg.get_termpos();
        return;
    }
    split_words(text, word, [&](const std::string &w) { add_word(w, wdf_inc, prefix, positions); });
}

std::string compare_with_xapian(const std::string &text, const char *lang, const std::string &prefix,
                                bool positions)
{
    index_stems stems;
    Xapian::Document docs[2];
    for (int k = 0; k < 2; k++) {
        TermGen tg(k == 1);
        stems.keep_stops_in(&docs[k]);
        tg.set_document(docs[k], true);
        tg.set_language(stems, lang);
        tg.index_text(text, 2, prefix, positions);
        tg.increase_termpos();
        tg.index_text(text, 1, "", true); /* positions carry on after a gap */
        stems.keep_stops_in(nullptr);
    }
    Xapian::TermIterator a = docs[0].termlist_begin(), b = docs[1].termlist_begin();
    for (; a != docs[0].termlist_end() && b != docs[1].termlist_end(); ++a, ++b) {
        if (*a != *b)
            return "term \"" + *a + "\" where Xapian has \"" + *b + "\"";
        if (a.get_wdf() != b.get_wdf())
            return "term \"" + *a + "\": wdf " + std::to_string(a.get_wdf()) + ", Xapian's " +
                   std::to_string(b.get_wdf());
        std::string pa, pb;
        for (auto p = a.positionlist_begin(); p != a.positionlist_end(); ++p)
            pa += " " + std::to_string(*p);
        for (auto p = b.positionlist_begin(); p != b.positionlist_end(); ++p)
            pb += " " + std::to_string(*p);
        if (pa != pb)
            return "term \"" + *a + "\": positions" + pa + ", Xapian's" + pb;
    }
    if (a != docs[0].termlist_end())
        return "extra term \"" + *a + "\"";
    if (b != docs[1].termlist_end())
        return "missing term \"" + *b + "\"";
    return "";
}

} // namespace iqn_analysis
