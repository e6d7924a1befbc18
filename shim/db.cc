/* db.cc - the only C++ in IQN Search: the Xapian shim behind the C API of db.h.
 * Every extern "C" entry point catches everything and reports it through struct iqn_error. */
#include "db.h"

#include <xapian.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <new>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <stdio.h>

#include "snippet.h"
#include "stopwords.h"
#include "text.h"
#include "analysis.hh"

using namespace iqn_analysis;

/* A first import into an empty index, built in parallel: see "Bulk build" below. */
/* A record encoded for storage, with its translation's when its document carries that text, and
 * the content hash of the two. */
struct iqn_encoded {
    std::string data, partner, hash;
    bool has_partner = false;
};

struct record_free {
    void operator()(struct iqn_record *r) const { iqn_record_free(r); }
};
using owned_record = std::unique_ptr<struct iqn_record, record_free>;

struct iqn_bulk_job {
    bool put;           /* put the record, else delete it */
    bool added = false; /* put: no record has this id yet */
    std::string id;
    iqn_encoded enc;    /* put: what to index, stored form */
    owned_record rec, partner; /* put: the records of enc, copied (decoding enc cost 2 % of an import) */
};

struct iqn_bulk_part {
    std::string path;
    std::unique_ptr<Xapian::WritableDatabase> wdb;
    TermGen tg;
    index_stems stems;
    std::unordered_map<std::string, Xapian::termcount> words; /* spelling data: each word and its count */
    std::thread thread;
    std::mutex mu;
    std::condition_variable work, space;
    std::deque<iqn_bulk_job> queue;
    size_t queued_bytes = 0;
    bool quit = false;
    std::string error; /* the first failure; later jobs are dropped */
};

struct iqn_bulk {
    std::string target, work;                          /* the index, and the folder it is built in */
    std::unique_ptr<Xapian::WritableDatabase> target_lock; /* holds the index's write lock until publish */
    std::vector<std::unique_ptr<iqn_bulk_part>> parts;
    const struct iqn_vocab *const *vocab = nullptr;
};

struct iqn_db {
    std::unique_ptr<iqn_bulk> bulk; /* set while a bulk build runs: reads and metadata go to its main */
    std::unique_ptr<Xapian::Database> db; /* reads: the index, or all its shards as one */
    std::vector<std::unique_ptr<Xapian::WritableDatabase>> shards; /* writers: one per shard (1 unsharded) */
    std::string path;
    TermGen tg;
    index_stems stems;
    const struct iqn_vocab *vocab = nullptr; /* labels to index, writers only */
    bool remote = false;                     /* some shard is served by xapian-tcpsrv */
    bool stop_terms = true;                  /* stop words are terms apart, without positions (analysis_key) */
    bool mark_analysis = false;              /* a new index: write analysis_key with the first record */
    bool single = false;                     /* a reader of one local index (not a stub) */
    std::shared_ptr<const struct facet_table> table; /* facet columns of revision table_rev */
    Xapian::rev table_rev = 0;
};

/* A term's posting list read into memory: docids and wdfs. */
struct term_postings {
    std::vector<Xapian::docid> did;
    std::vector<Xapian::termcount> wdf;
};

/* Posting lists of common terms kept in memory for every reader of the process, so that the next
 * query with the term reads two arrays instead of decoding the list again through Xapian's
 * iterators (the biggest part of a search's cost once ranking and counting read posting lists).
 * Keyed by index (path, UUID), revision and term, so a reader never sees another revision's list;
 * bounded, least recently used first out. Lists are immutable once in: readers share them. */
class posting_cache {
    struct entry {
        std::shared_ptr<const term_postings> list;
        std::list<std::string>::iterator used; /* place in order */
        size_t bytes;
    };
    std::mutex mu;
    std::unordered_map<std::string, entry> lists;
    std::list<std::string> order; /* most recently used first */
    size_t bytes = 0;

  public:
    std::shared_ptr<const term_postings> find(const std::string &key)
    {
        std::lock_guard<std::mutex> lk(mu);
        auto it = lists.find(key);
        if (it == lists.end())
            return nullptr;
        order.splice(order.begin(), order, it->second.used);
        return it->second.list;
    }
    void add(const std::string &key, std::shared_ptr<const term_postings> list, size_t size, size_t budget)
    {
        if (size > budget)
            return;
        std::lock_guard<std::mutex> lk(mu);
        if (lists.count(key))
            return; /* another reader got there first */
        while (bytes + size > budget && !order.empty()) {
            auto old = lists.find(order.back());
            bytes -= old->second.bytes;
            lists.erase(old); /* readers using the list keep it through their shared_ptr */
            order.pop_back();
        }
        order.push_front(key);
        lists.emplace(key, entry{std::move(list), order.begin(), size});
        bytes += size;
    }
};

posting_cache &shared_postings()
{
    static posting_cache cache; /* thread-safe initialisation */
    return cache;
}

/* Facet columns held in memory for a reader of one local index: for each facet, each document's
 * codes as small integers (CSR: codes[offs[d] .. offs[d+1]) for docid d). Counting a match is then a
 * few array increments instead of reading a value slot and looking a string up in a map. */
struct facet_table {
    Xapian::docid last = 0;
    std::vector<uint32_t> offs[IQN_FACET_COUNT]; /* last + 2 entries */
    std::vector<uint16_t> codes[IQN_FACET_COUNT];
    std::vector<std::string> names[IQN_FACET_COUNT];
    /* Every facet's codes of a document in one row, as base[f] + code id: counting a match that
     * counts in every facet is then one short loop over adjacent memory. */
    std::vector<uint32_t> all_offs; /* last + 2 entries */
    std::vector<uint16_t> all_codes;
    size_t base[IQN_FACET_COUNT + 1] = {};
    std::vector<double> tiebreak; /* last + 1 entries: the IQN_SLOT_TIEBREAK weight of each docid */
    std::vector<char> paired;     /* last + 1 entries: the document has IQN_TERM_PAIRED */
    double tiebreak_max = 0;
    std::vector<uint32_t> doclen; /* last + 1 entries: each document's length, for BM25 */
    std::vector<double> bm25_len; /* last + 1 entries: BM25's k1 (normlen b + 1 - b) of each document */
    std::vector<uint32_t> sort_rank; /* last + 1 entries: place of the IQN_SLOT_SORT value in value order */
    std::string postings_key; /* index path, UUID and revision: the prefix of its posting_cache keys */
};

struct iqn_stemmer {
    Xapian::Stem stem;
};

namespace {

/* Classify the exception being handled and fill err. Call only inside a catch block. */
int translate(struct iqn_error *err, const char *what)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return iqn_error_set(err, IQN_ELOCKED, "%s: index is locked by another writer (%s)", what,
                             e.get_msg().c_str());
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return iqn_error_set(err, IQN_ENOTFOUND, "%s: no index there (%s)", what, e.get_msg().c_str());
    } catch (const Xapian::DatabaseCorruptError &e) {
        return iqn_error_set(err, IQN_EINDEX, "%s: index is damaged: %s", what, e.get_msg().c_str());
    } catch (const Xapian::DatabaseVersionError &e) {
        return iqn_error_set(err, IQN_EINDEX, "%s: unsupported index format: %s", what, e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return iqn_error_set(err, IQN_ENOTFOUND, "%s: cannot open index: %s", what, e.get_msg().c_str());
    } catch (const Xapian::NetworkError &e) {
        return iqn_error_set(err, IQN_EIO, "%s: remote shard unavailable: %s", what, e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return iqn_error_set(err, IQN_EINVAL, "%s: %s", what, e.get_msg().c_str());
    } catch (const Xapian::Error &e) {
        return iqn_error_set(err, IQN_EINTERNAL, "%s: %s: %s", what, e.get_type(), e.get_msg().c_str());
    } catch (const std::bad_alloc &) {
        return iqn_error_set(err, IQN_ENOMEM, "%s: out of memory", what);
    } catch (const std::exception &e) {
        return iqn_error_set(err, IQN_EINTERNAL, "%s: %s", what, e.what());
    } catch (...) {
        return iqn_error_set(err, IQN_EINTERNAL, "%s: unknown exception", what);
    }
}

std::string lower_ascii(std::string s)
{
    for (auto &c : s)
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
    return s;
}

std::string facet_term(int facet, const std::string &code)
{
    return std::string(iqn_facets[facet].prefix) + lower_ascii(code);
}

/* Boolean field in query text (province:ON, type:report): one filter term, case-insensitive. */
class FacetFieldProcessor : public Xapian::FieldProcessor {
    int facet;

  public:
    explicit FacetFieldProcessor(int f) : facet(f) {}
    Xapian::Query operator()(const std::string &str) override
    {
        return Xapian::Query(facet_term(facet, str));
    }
};

std::string hex64(unsigned long long h)
{
    static const char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; i--, h >>= 4)
        s[(size_t)i] = digits[h & 15];
    return s;
}

/* The stub file of a sharded index at path ("" for a plain index): path itself when it is a stub
 * file, path/iqn.stub when path is a folder holding one. */
std::string stub_of(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return std::string();
    if (S_ISREG(st.st_mode))
        return path;
    std::string stub = std::string(path) + "/" + IQN_STUB_NAME;
    if (stat(stub.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        return stub;
    return std::string();
}

/* The local shard paths a stub file lists ("auto DIR" or "glass DIR" lines, relative to the stub's
 * folder); false when it lists anything else (a remote shard). */
bool stub_shards(const std::string &stub, std::vector<std::string> &out)
{
    std::string dir = stub.substr(0, stub.rfind('/') == std::string::npos ? 0 : stub.rfind('/') + 1);
    FILE *f = std::fopen(stub.c_str(), "r");
    if (!f)
        throw Xapian::DatabaseOpeningError("cannot read " + stub);
    char line[4096];
    bool ok = true;
    while (std::fgets(line, sizeof line, f)) {
        std::string l(line);
        while (!l.empty() && (l.back() == '\n' || l.back() == '\r' || l.back() == ' '))
            l.pop_back();
        if (l.empty() || l[0] == '#')
            continue;
        size_t sp = l.find(' ');
        std::string kind = l.substr(0, sp), arg = sp == std::string::npos ? "" : l.substr(sp + 1);
        if ((kind != "auto" && kind != "glass") || arg.empty()) {
            ok = false;
            continue;
        }
        out.push_back(arg[0] == '/' ? arg : dir + arg);
    }
    std::fclose(f);
    return ok;
}

/* The shard a record lives in: placed by id, so any writer finds it again. */
Xapian::WritableDatabase &shard_of(struct iqn_db *db, const char *id)
{
    size_t n = db->shards.size();
    return *db->shards[n == 1 ? 0 : (size_t)(iqn_hash64(id, std::strlen(id), 0) % n)];
}

/* The metadata key that says how an index analyses text. An index made since stop words are
 * terms apart says analysis_no_stops; one made before has no such key and has its stop words
 * stemmed with positions: its writers go on indexing them so, and its readers leave them in
 * phrases, until it is rebuilt. */
const char *const analysis_key = "iqn:analysis";
const char *const analysis_no_stops = "stems; stop words as terms without positions";

/* Read how the index analyses text (after opening it). */
void read_analysis(struct iqn_db *db)
{
    db->stop_terms = db->db->get_metadata(analysis_key) == analysis_no_stops;
}

/* Reopen the reader at the latest revision, which may be a rebuilt index; true if it moved. */
bool reopen_index(struct iqn_db *db)
{
    bool moved = db->db->reopen();
    read_analysis(db);
    return moved;
}

/* An index that has never held a record or metadata. */
bool never_written(Xapian::WritableDatabase &w)
{
    return w.get_lastdocid() == 0 && w.metadata_keys_begin() == w.metadata_keys_end();
}

/* A writer of a new index: records go in with stop words apart, and the first says so. */
void mark_new_index(struct iqn_db *db)
{
    for (auto &w : db->shards)
        if (!never_written(*w))
            return;
    db->stop_terms = true;
    db->mark_analysis = true;
}

/* The database to read a record's current state from: its shard when writing, else the index. */
Xapian::Database &home_of(struct iqn_db *db, const char *id)
{
    if (db->shards.empty())
        return *db->db;
    return shard_of(db, id);
}

/* Index the English and French labels of the record's codes, each with its own language's
 * stemmer, so that a query naming a province, profession or topic in either language finds it. */
void index_labels(TermGen &tg, index_stems &stems, const struct iqn_vocab *vocab, const struct iqn_record *r)
{
    static const char *const langs[2] = {"en", "fr"};
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        if (f == IQN_FACET_LANG)
            continue;
        const struct iqn_strlist *l = &r->f[iqn_facets[f].field];
        for (int lang = 0; lang < 2; lang++) {
            tg.set_language(stems, langs[lang]);
            for (size_t i = 0; i < l->n; i++) {
                const struct iqn_vocab_entry *e = iqn_vocab_find(vocab, f, l->v[i]);
                if (!e)
                    continue;
                tg.index_text(tg.fold_text(e->label[lang], std::strlen(e->label[lang])));
                tg.increase_termpos();
            }
        }
    }
}

/* Index the free-text fields of r into the document the term generator is on, with r's language. */
void index_text_fields(TermGen &tg, index_stems &stems, const struct iqn_record *r)
{
    tg.set_language(stems, iqn_record_get(r, IQN_F_LANG));
    for (int f = 0; f < IQN_F_COUNT; f++) {
        const struct iqn_field_info *fi = &iqn_fields[f];
        if (!fi->text_weight)
            continue;
        for (size_t i = 0; i < r->f[f].n; i++) {
            const std::string &text = tg.fold_text(r->f[f].v[i], std::strlen(r->f[f].v[i]));
            if (fi->prefix) /* no positions: a field's phrase uses the text's own (field_phrases) */
                tg.index_text(text, 1, fi->prefix, false);
            tg.index_text(text, (Xapian::termcount)fi->text_weight);
            tg.increase_termpos();
        }
    }
}

/* The stored form of r and its hash. */
std::string encode_record(const struct iqn_record *r)
{
    struct iqn_buf data;
    iqn_buf_init(&data, (size_t)IQN_BODY_MAX + 4 * 1024 * 1024);
    if (iqn_record_encode(r, &data) != 0) {
        iqn_buf_free(&data);
        throw std::bad_alloc();
    }
    std::string out(data.data, data.len);
    iqn_buf_free(&data);
    return out;
}

/* Content hash of a document: its record, and its translation's record when it carries its text. */
std::string content_hash(const std::string &data, const std::string *partner_data)
{
    unsigned long long h = iqn_hash64(data.data(), data.size(), IQN_SCHEMA_VERSION);
    if (partner_data)
        h ^= iqn_hash64(partner_data->data(), partner_data->size(), 0x9e3779b97f4a7c15ULL);
    return hex64(h);
}

using encoded = iqn_encoded;

encoded encode_pair(const struct iqn_record *r, const struct iqn_record *partner)
{
    encoded e;
    e.data = encode_record(r);
    e.has_partner = partner != nullptr;
    if (partner)
        e.partner = encode_record(partner);
    e.hash = content_hash(e.data, partner ? &e.partner : nullptr);
    return e;
}

/* The extra weight that orders records of equal relevance: newer first (by month), then by a hash
 * of the id; undated records last, by the hash alone. Below any real difference of BM25 weights
 * (it stays under 1e-8), yet the steps must survive being added to a weight: a weight of 32 is
 * rounded to 7e-15, and a step of one month here is 1e-12 (dated records) while undated ones
 * spread over 0.5e-8. Records that still tie (equal weight, month and hash step) are ordered by
 * docid, which differs between a single and a sharded index. */
double tiebreak_weight(const char *key, const char *id)
{
    const double months = 400.0 * 13.0; /* 1800-2199; month 0 for a date of a year alone */
    /* The hash's high bits, mixed (splitmix64's finaliser): similar ids must not get near equal steps. */
    unsigned long long h = iqn_hash64(id, std::strlen(id), 7);
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;
    double frac = (double)(h >> 11) / 9007199254740992.0;
    int year = (key[0] - '0') * 1000 + (key[1] - '0') * 100 + (key[2] - '0') * 10 + (key[3] - '0');
    int month = (key[4] - '0') * 10 + (key[5] - '0');
    if (year == 0)
        return 0.5e-8 * frac;
    double slot = std::min(months - 1.0, std::max(0.0, (double)(year - 1800) * 13.0 + month));
    return 0.5e-8 + 0.5e-8 * (slot + frac) / months;
}

/* Store an encoded record (fields as JSON, a newline, the body) in doc: the fields as its data,
 * the body in IQN_SLOT_BODY. Xapian deflates every document's data at zlib's default level, which
 * cost a first import about a tenth of its time; values are stored as they are (docs/BENCHMARKS.md).
 * stored_data() puts them back together, and reads an index whose data holds the body as well. */
void set_stored(Xapian::Document &doc, const std::string &data)
{
    size_t nl = data.find('\n');
    if (nl == std::string::npos || nl + 1 == data.size()) {
        doc.set_data(data);
        return;
    }
    doc.set_data(data.substr(0, nl + 1));
    doc.add_value(IQN_SLOT_BODY, data.substr(nl + 1));
}

std::string stored_data(const Xapian::Document &doc)
{
    std::string data = doc.get_data();
    std::string body = doc.get_value(IQN_SLOT_BODY);
    if (!body.empty() && !data.empty() && data.back() == '\n')
        data += body;
    return data;
}

/* The Xapian document for a validated record r. When partner (its translation, in the other
 * language) is given, the document also carries the partner's text and the IQN_TERM_PAIRED term:
 * both records of a pair then match the same queries, and a search shows the one in the reader's
 * language by leaving out paired records in the other language (see docs/DESIGN.md). */
Xapian::Document build_document(TermGen &tg, index_stems &stems, const struct iqn_vocab *vocab,
                                const struct iqn_record *r, const struct iqn_record *partner, const encoded &e,
                                bool stop_terms)
{
    Xapian::Document doc;
    /* Stems only ("Z" + stem, with positions), as Elasticsearch's and Solr's language analysers
     * index: half the postings of stems beside the words as written. Stop words (about half of
     * a text's words) get no stem and no position, as those analysers leave them out; each is
     * kept as a term of its own, the word without positions (StopWordTerms), so that a phrase
     * still requires its stop words and a phrase of stop words only still finds its records
     * (stop_words_apart). Phrases match stems side by side, and wildcards expand over stems
     * (expand_wildcards). An index made before has its stop words with stems and positions
     * (analysis_key). */
    tg.set_document(doc, stop_terms);
    struct keep_stops {
        index_stems &s;
        keep_stops(index_stems &st, Xapian::Document *d) : s(st) { s.keep_stops_in(d); }
        ~keep_stops() { s.keep_stops_in(nullptr); }
    } keeping(stems, &doc);
    index_text_fields(tg, stems, r);
    if (vocab)
        index_labels(tg, stems, vocab, r);
    if (partner) {
        index_text_fields(tg, stems, partner);
        doc.add_boolean_term(IQN_TERM_PAIRED);
    }
    const char *id = iqn_record_get(r, IQN_F_ID);
    doc.add_boolean_term(std::string(IQN_PREFIX_ID) + id);
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        const struct iqn_strlist *l = &r->f[iqn_facets[f].field];
        std::vector<std::string> codes(l->v, l->v + l->n);
        std::sort(codes.begin(), codes.end());
        std::string joined;
        for (const auto &c : codes) {
            doc.add_boolean_term(facet_term(f, c));
            if (!joined.empty())
                joined += ',';
            joined += c;
        }
        if (!joined.empty())
            doc.add_value(iqn_facets[f].slot, joined);
    }
    const char *date = iqn_record_get(r, IQN_F_DATE);
    char key[9];
    if (date && iqn_date_key(date, 0, key) == 0) {
        doc.add_value(IQN_SLOT_DATE, key);
        doc.add_boolean_term(std::string(IQN_PREFIX_YEAR) + std::string(key, 4));
    } else {
        std::memcpy(key, "00000000", 9);
    }
    doc.add_value(IQN_SLOT_SORT, std::string(key, 8) + id);
    doc.add_value(IQN_SLOT_TIEBREAK, Xapian::sortable_serialise(tiebreak_weight(key, id)));
    set_stored(doc, e.data);
    doc.add_value(IQN_SLOT_HASH, e.hash);
    return doc;
}

/* The document for r in the writer's own shard; its spelling data goes with the record. */
Xapian::Document build_document(struct iqn_db *db, const struct iqn_record *r, const struct iqn_record *partner,
                                std::string &hash)
{
    if (!db->shards.empty())
        db->tg.set_spelling(&shard_of(db, iqn_record_get(r, IQN_F_ID)));
    encoded e = encode_pair(r, partner);
    hash = e.hash;
    return build_document(db->tg, db->stems, db->vocab, r, partner, e, db->stop_terms);
}

/* Decode a stored record into a new record; throws on failure. */
struct iqn_record *decode_data(const std::string &data)
{
    struct iqn_record *r = iqn_record_new();
    if (!r)
        throw std::bad_alloc();
    struct iqn_error derr;
    if (iqn_record_decode(data.data(), data.size(), r, &derr) != IQN_OK) {
        iqn_record_free(r);
        throw Xapian::DatabaseCorruptError(std::string("stored record is unreadable: ") + derr.message);
    }
    return r;
}

struct iqn_record *decode_document(const Xapian::Document &doc)
{
    return decode_data(stored_data(doc));
}

using record_ptr = std::unique_ptr<struct iqn_record, void (*)(struct iqn_record *)>;


/* The stored record with this id, or null; *did is its docid (0 if none). */
record_ptr load_record(Xapian::Database &xdb, const char *id, Xapian::docid *did)
{
    std::string idterm = std::string(IQN_PREFIX_ID) + id;
    Xapian::PostingIterator p = xdb.postlist_begin(idterm);
    *did = 0;
    if (p == xdb.postlist_end(idterm))
        return record_ptr(nullptr, iqn_record_free);
    *did = *p;
    return record_ptr(decode_document(xdb.get_document(*p)), iqn_record_free);
}

/* r's translation as stored: a record whose id is r's pair, whose pair is r's id, in another language. */
record_ptr load_partner(struct iqn_db *db, const struct iqn_record *r, Xapian::docid *did)
{
    const char *id = iqn_record_get(r, IQN_F_ID), *pair = iqn_record_get(r, IQN_F_PAIR);
    *did = 0;
    if (!pair || std::strcmp(pair, id) == 0)
        return record_ptr(nullptr, iqn_record_free);
    record_ptr p = load_record(home_of(db, pair), pair, did);
    const char *back = p ? iqn_record_get(p.get(), IQN_F_PAIR) : nullptr;
    const char *l1 = iqn_record_get(r, IQN_F_LANG), *l2 = p ? iqn_record_get(p.get(), IQN_F_LANG) : nullptr;
    if (!p || !back || std::strcmp(back, id) != 0 || !l1 || !l2 || std::strcmp(l1, l2) == 0) {
        *did = 0;
        return record_ptr(nullptr, iqn_record_free);
    }
    return p;
}

/* ---- Bulk build ----
 * The first import into an empty index is the long one, and Xapian's single writer (its inverter
 * and commits) bounds it. iqn_db_bulk turns it into K part indexes, each built by a thread of its
 * own with its own TermGenerator and writer, while the caller's thread keeps a "main" index just
 * as it would keep the index itself: per record an entry of its own (id term, content hash and stored
 * record, all that an import reads back) and all metadata. iqn_db_finish merges the parts with
 * Xapian's compactor, copies main's metadata over, and puts the result in place of the empty
 * index with one atomic rename (RENAME_EXCHANGE). Until then the index is as it was: a killed
 * import leaves it empty and whole, and a re-run starts again. */

const size_t BULK_QUEUE_BYTES = (size_t)32 << 20; /* per part: bounds memory whatever the record sizes */
const size_t BULK_QUEUE_JOBS = 256;
const unsigned BULK_COMMIT_EVERY = 200; /* documents a part buffers before it commits (see docs/BENCHMARKS.md) */


/* What main keeps of a record during a bulk build: its id term, its content hash, and as much of
 * the stored record as the import can read back. A record is read back whole only as the partner
 * of its translation (load_partner), which needs a pair field; any other record is read back for
 * its pair field alone (which it lacks) or to see that it exists. So a record without a pair keeps
 * only its id, type and language: main then does not compress every text a second time (Xapian
 * deflates each stored record), and the parts keep the whole records that get published. */
Xapian::Document main_entry(const struct iqn_record *r, const encoded &e)
{
    const char *id = iqn_record_get(r, IQN_F_ID);
    Xapian::Document doc;
    doc.add_boolean_term(std::string(IQN_PREFIX_ID) + id);
    if (iqn_record_get(r, IQN_F_PAIR)) {
        doc.set_data(e.data);
    } else {
        record_ptr brief(iqn_record_new(), iqn_record_free);
        struct iqn_error err;
        if (!brief)
            throw std::bad_alloc();
        for (enum iqn_field f : {IQN_F_ID, IQN_F_TYPE, IQN_F_LANG}) {
            const char *v = iqn_record_get(r, f);
            if (v && iqn_record_set(brief.get(), f, v, &err) != IQN_OK)
                throw Xapian::InvalidArgumentError(err.message);
        }
        doc.set_data(encode_record(brief.get()));
    }
    doc.add_value(IQN_SLOT_HASH, e.hash);
    return doc;
}

void part_failed(iqn_bulk_part *p, const std::string &why)
{
    std::lock_guard<std::mutex> lk(p->mu);
    if (p->error.empty())
        p->error = why;
}

/* A part's spelling data, added once its records are in: each word its stemmers were given (the
 * index holds stems only), with the number of times it was indexed, as the TermGenerator's
 * FLAG_SPELLING would add occurrence by occurrence; the compactor sums the parts' frequencies.
 * Counting in a hash map as words are stemmed, then adding each word once, costs far less than
 * FLAG_SPELLING's update of the spelling table per word and its re-writing at every commit. */
void add_part_spelling(iqn_bulk_part *p)
{
    Xapian::WritableDatabase &w = *p->wdb;
    p->stems.count_words(nullptr); /* the last counts, out of the stemmers' caches */
    for (const auto &kv : p->words)
        w.add_spelling(kv.first, kv.second);
    p->words.clear();
}

/* Once no more jobs come (quit), a part that has run dry takes the last job of the part with the
 * most work queued, so that the parts end together instead of one working alone through the rest
 * of its queue (up to half a queue: a tenth of a 2,000-page import's time). Only a new record's
 * only job can move: it is the first job of its record (added), and being last in its queue, no
 * later one follows it; its routing in main no longer matters, as nothing more is sent. */
bool steal_job(iqn_bulk &b, iqn_bulk_part *self, iqn_bulk_job &job)
{
    iqn_bulk_part *victim = nullptr;
    size_t most = 1; /* a queue of one job is left to its own part, which is at work on it or soon */
    for (auto &q : b.parts) {
        if (q.get() == self)
            continue;
        std::lock_guard<std::mutex> lk(q->mu);
        if (q->quit && q->error.empty() && q->queue.size() > most) {
            most = q->queue.size();
            victim = q.get();
        }
    }
    if (!victim)
        return false;
    std::lock_guard<std::mutex> lk(victim->mu);
    if (victim->queue.size() <= 1 || !victim->queue.back().put || !victim->queue.back().added)
        return false;
    job = std::move(victim->queue.back());
    victim->queue.pop_back();
    victim->queued_bytes -= job.enc.data.size() + job.enc.partner.size();
    return true;
}

void part_main(iqn_bulk *b, iqn_bulk_part *p, const struct iqn_vocab *vocab)
{
    unsigned since = 0;
    p->stems.count_words(&p->words);
    for (;;) {
        iqn_bulk_job job;
        {
            std::unique_lock<std::mutex> lk(p->mu);
            p->work.wait(lk, [p] { return p->quit || !p->queue.empty(); });
            if (p->queue.empty()) {
                bool ok = p->error.empty();
                lk.unlock();
                if (!ok || !steal_job(*b, p, job))
                    break;
            } else {
                job = std::move(p->queue.front());
                p->queue.pop_front();
                p->queued_bytes -= job.enc.data.size() + job.enc.partner.size();
                /* The importing thread waits on a full queue: wake it once the queue is down to
                 * half (it then fills it again in one go), not at every job. */
                if (p->queue.size() <= BULK_QUEUE_JOBS / 2 && p->queued_bytes <= BULK_QUEUE_BYTES / 2)
                    p->space.notify_all();
                if (!p->error.empty())
                    continue;
            }
        }
        try {
            std::string idterm = std::string(IQN_PREFIX_ID) + job.id;
            if (job.put) {
                Xapian::Document doc = build_document(p->tg, p->stems, vocab, job.rec.get(), job.partner.get(),
                                                      job.enc, true /* a bulk build makes a new index */);
                if (job.added)
                    p->wdb->add_document(doc);
                else
                    p->wdb->replace_document(idterm, doc);
            } else {
                p->wdb->delete_document(idterm);
            }
            if (++since >= BULK_COMMIT_EVERY) {
                p->wdb->commit();
                since = 0;
            }
        } catch (const Xapian::Error &e) {
            part_failed(p, p->path + ": " + e.get_type() + ": " + e.get_msg());
        } catch (const std::exception &e) {
            part_failed(p, p->path + ": " + e.what());
        }
    }
    try {
        p->wdb->commit();
        bool failed;
        {
            std::lock_guard<std::mutex> lk(p->mu);
            failed = !p->error.empty();
        }
        if (!failed) {
            add_part_spelling(p);
            p->wdb->commit();
        }
    } catch (const Xapian::Error &e) {
        part_failed(p, p->path + ": " + e.get_type() + ": " + e.get_msg());
    } catch (const std::exception &e) {
        part_failed(p, p->path + ": " + e.what());
    }
}

/* Stop the parts' threads once their queues are done (each commits before it ends). */
void bulk_stop(iqn_bulk &b)
{
    for (auto &p : b.parts) {
        std::lock_guard<std::mutex> lk(p->mu);
        p->quit = true;
        p->work.notify_all();
    }
    for (auto &p : b.parts)
        if (p->thread.joinable())
            p->thread.join();
}

/* Throw the first failure of any part. */
void bulk_check(iqn_bulk &b)
{
    for (auto &p : b.parts) {
        std::lock_guard<std::mutex> lk(p->mu);
        if (!p->error.empty())
            throw Xapian::DatabaseError("bulk build failed: " + p->error);
    }
}

/* The slot of main's entries that names the part a record was sent to (main is thrown away when
 * the build is published, so the slot is free there). A record's first job goes to the part with
 * the least work queued, so that the parts run dry together at the end of the import rather than
 * one finishing its backlog alone; its later jobs (a changed copy in the same run, its
 * translation's text, a delete) go to the same part, which holds its document. */
const Xapian::valueno BULK_SLOT_PART = 100;

size_t least_loaded(iqn_bulk &b)
{
    size_t best = 0, best_bytes = SIZE_MAX;
    for (size_t k = 0; k < b.parts.size(); k++) {
        std::lock_guard<std::mutex> lk(b.parts[k]->mu);
        size_t bytes = b.parts[k]->queued_bytes + b.parts[k]->queue.size(); /* jobs of no bytes count too */
        if (bytes < best_bytes) {
            best = k;
            best_bytes = bytes;
        }
    }
    return best;
}

/* Name part k in a main entry. */
void set_part(Xapian::Document &doc, size_t k)
{
    doc.add_value(BULK_SLOT_PART, std::string(1, (char)k));
}

/* The part that holds the record whose main entry is did. */
size_t part_of(iqn_bulk &b, Xapian::Database &main, Xapian::docid did)
{
    std::string v = main.get_document(did).get_value(BULK_SLOT_PART);
    if (v.size() != 1 || (size_t)(unsigned char)v[0] >= b.parts.size())
        throw Xapian::DatabaseCorruptError("bulk build: record without a part");
    return (size_t)(unsigned char)v[0];
}

/* Hand a job to part k; waits while its queue is full. */
void bulk_send(iqn_bulk &b, size_t k, iqn_bulk_job &&job)
{
    iqn_bulk_part &p = *b.parts[k];
    size_t bytes = job.enc.data.size() + job.enc.partner.size();
    std::unique_lock<std::mutex> lk(p.mu);
    p.space.wait(lk, [&] {
        return !p.error.empty() || p.queue.empty() ||
               (p.queue.size() < BULK_QUEUE_JOBS && p.queued_bytes + bytes <= BULK_QUEUE_BYTES);
    });
    if (!p.error.empty())
        throw Xapian::DatabaseError("bulk build failed: " + p.error);
    p.queued_bytes += bytes;
    p.queue.push_back(std::move(job));
    p.work.notify_one();
}

void bulk_put(iqn_bulk &b, size_t k, const char *id, const struct iqn_record *r, const struct iqn_record *partner,
              encoded &&e, bool added)
{
    iqn_bulk_job job;
    job.rec.reset(iqn_record_copy(r));
    if (partner)
        job.partner.reset(iqn_record_copy(partner));
    if (!job.rec || (partner && !job.partner))
        throw std::bad_alloc();
    job.put = true;
    job.added = added;
    job.id = id;
    job.enc = std::move(e);
    bulk_send(b, k, std::move(job));
}

void bulk_delete(iqn_bulk &b, size_t k, const char *id)
{
    iqn_bulk_job job;
    job.put = false;
    job.id = id;
    bulk_send(b, k, std::move(job));
}

/* fsync a folder itself (its entries: names made, renamed or removed). */
void sync_dir(const std::string &dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

/* fsync every file of a folder, then the folder: what the compactor wrote is on disk before it
 * is published. */
void sync_folder(const std::string &dir)
{
    for (const auto &e : std::filesystem::directory_iterator(dir)) {
        int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::fsync(fd) != 0) {
            int saved = errno;
            if (fd >= 0)
                ::close(fd);
            throw Xapian::DatabaseError("cannot sync " + e.path().string() + ": " + std::strerror(saved));
        }
        ::close(fd);
    }
    sync_dir(dir);
}

/* The index path without trailing slashes: PATH.bulk is its sibling. */
std::string bare_path(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

/* Swap two paths atomically; where the file system cannot, move b aside then a into its place. */
void exchange(const std::string &a, const std::string &b, const std::string &aside)
{
    if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0)
        return;
    if (errno != EINVAL && errno != ENOSYS)
        throw Xapian::DatabaseError("cannot put " + a + " in place of " + b + ": " + std::strerror(errno));
    if (std::rename(b.c_str(), aside.c_str()) != 0 || std::rename(a.c_str(), b.c_str()) != 0)
        throw Xapian::DatabaseError("cannot put " + a + " in place of " + b + ": " + std::strerror(errno));
}

/* Re-index the stored record at did, with or without its partner's text. */
void rebuild(struct iqn_db *db, Xapian::docid did, const struct iqn_record *r, const struct iqn_record *partner)
{
    if (db->bulk) {
        const char *id = iqn_record_get(r, IQN_F_ID);
        encoded e = encode_pair(r, partner);
        Xapian::WritableDatabase &main = shard_of(db, id);
        size_t k = part_of(*db->bulk, main, did);
        Xapian::Document doc = main_entry(r, e);
        set_part(doc, k);
        main.replace_document(did, doc);
        bulk_put(*db->bulk, k, id, r, partner, std::move(e), false);
        return;
    }
    std::string hash;
    shard_of(db, iqn_record_get(r, IQN_F_ID)).replace_document(did, build_document(db, r, partner, hash));
}

/* What upserting r would do: existing docid (0 if none) and the classification. */
enum iqn_upsert_result classify(Xapian::Database &xdb, const std::string &idterm, const std::string &hash,
                                Xapian::docid *existing)
{
    *existing = 0;
    Xapian::PostingIterator p = xdb.postlist_begin(idterm);
    if (p == xdb.postlist_end(idterm))
        return IQN_UPSERT_ADDED;
    *existing = *p;
    if (xdb.get_document(*p).get_value(IQN_SLOT_HASH) == hash)
        return IQN_UPSERT_UNCHANGED;
    return IQN_UPSERT_UPDATED;
}

} // namespace


extern "C" {

int iqn_db_open(const char *path, int flags, struct iqn_db **out, struct iqn_error *err)
{
    *out = nullptr;
    try {
        std::unique_ptr<iqn_db> db(new iqn_db);
        db->path = path;
        std::string stub = stub_of(path);
        if (flags & IQN_DB_WRITE) {
            std::vector<std::string> local;
            if (!stub.empty()) {
                if (!stub_shards(stub, local))
                    return iqn_error_set(err, IQN_EINVAL, "%s: a writer needs local shards, and %s lists a remote one",
                                         path, stub.c_str());
            } else {
                local.push_back(path);
            }
            int action = (flags & IQN_DB_CREATE) && stub.empty() ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
            Xapian::Database all;
            for (const auto &shard : local) {
                db->shards.emplace_back(new Xapian::WritableDatabase(shard, action | Xapian::DB_BACKEND_GLASS));
                all.add_database(*db->shards.back());
            }
            db->db.reset(new Xapian::Database(all));
            read_analysis(db.get());
            mark_new_index(db.get());
        } else {
            db->db.reset(new Xapian::Database(stub.empty() ? std::string(path) : stub));
            std::vector<std::string> local;
            db->remote = !stub.empty() && !stub_shards(stub, local);
            db->single = stub.empty();
            read_analysis(db.get());
        }
        *out = db.release();
        return IQN_OK;
    } catch (...) {
        return translate(err, path);
    }
}

int iqn_db_create_sharded(const char *path, unsigned nshards, struct iqn_error *err)
{
    if (nshards < 1 || nshards > IQN_SHARDS_MAX)
        return iqn_error_set(err, IQN_EINVAL, "shards: must be from 1 to %d, got %u", IQN_SHARDS_MAX, nshards);
    try {
        std::string stub = stub_of(path);
        if (!stub.empty()) {
            std::vector<std::string> local;
            if (!stub_shards(stub, local) || local.size() != nshards)
                return iqn_error_set(err, IQN_EINVAL, "%s already has %zu shards, not %u", path, local.size(), nshards);
            return IQN_OK;
        }
        struct stat st;
        if (stat(path, &st) == 0 && stat((std::string(path) + "/iamglass").c_str(), &st) == 0)
            return iqn_error_set(err, IQN_EINVAL, "%s is an unsharded index; shard a new one", path);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return iqn_error_set(err, IQN_EIO, "%s: cannot create: %s", path, std::strerror(errno));
        std::string text;
        for (unsigned i = 0; i < nshards; i++) {
            char name[32];
            std::snprintf(name, sizeof name, "shard-%03u", i);
            Xapian::WritableDatabase w(std::string(path) + "/" + name, Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS);
            w.commit();
            text += std::string("auto ") + name + "\n";
        }
        /* The stub appears last, atomically: until then the folder is not an index. */
        std::string tmp = std::string(path) + "/" + IQN_STUB_NAME + ".tmp";
        FILE *f = std::fopen(tmp.c_str(), "w");
        if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fflush(f) != 0 ||
            fsync(fileno(f)) != 0) {
            int e = errno;
            if (f)
                std::fclose(f);
            return iqn_error_set(err, IQN_EIO, "%s: cannot write: %s", tmp.c_str(), std::strerror(e));
        }
        std::fclose(f);
        if (std::rename(tmp.c_str(), (std::string(path) + "/" + IQN_STUB_NAME).c_str()) != 0)
            return iqn_error_set(err, IQN_EIO, "%s: cannot rename: %s", tmp.c_str(), std::strerror(errno));
        return IQN_OK;
    } catch (...) {
        return translate(err, path);
    }
}

int iqn_db_bulk(struct iqn_db *db, unsigned parts, int *started, struct iqn_error *err)
{
    *started = 0;
    parts = std::min(parts, 255u); /* BULK_SLOT_PART holds a part's number in one byte */
    struct stat st;
    if (db->bulk || db->shards.size() != 1 || parts < 1 || !stub_of(db->path.c_str()).empty() ||
        lstat(db->path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return IQN_OK; /* a symbolic link to the index would be replaced by a folder: fill it in place */
    std::unique_ptr<iqn_bulk> b(new iqn_bulk);
    try {
        Xapian::WritableDatabase &w = *db->shards[0];
        if (!never_written(w)) {
            /* Not empty: records are updated in place. A build killed after it put its index in
             * place but before it cleared up left its folder; this process holds the lock. */
            std::filesystem::remove_all(bare_path(db->path) + ".bulk");
            return IQN_OK;
        }
        b->target = bare_path(db->path);
        b->work = b->target + ".bulk";
        std::filesystem::remove_all(b->work); /* a killed build's; this process holds the index's lock */
        std::filesystem::create_directory(b->work);
        /* Throwaway indexes, read by nobody else: no fsync, blocks updated in place. */
        const int scratch = Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS | Xapian::DB_NO_SYNC | Xapian::DB_DANGEROUS;
        std::unique_ptr<Xapian::WritableDatabase> main(new Xapian::WritableDatabase(b->work + "/main", scratch));
        for (unsigned k = 0; k < parts; k++) {
            std::unique_ptr<iqn_bulk_part> p(new iqn_bulk_part);
            char name[32];
            std::snprintf(name, sizeof name, "/part-%03u", k);
            p->path = b->work + name;
            p->wdb.reset(new Xapian::WritableDatabase(p->path, scratch));
            b->parts.push_back(std::move(p));
        }
        for (auto &p : b->parts)
            p->thread = std::thread(part_main, b.get(), p.get(), db->vocab);
        b->target_lock = std::move(db->shards[0]);
        db->shards[0] = std::move(main);
        db->db.reset(new Xapian::Database(*db->shards[0]));
        db->bulk = std::move(b);
        *started = 1;
        return IQN_OK;
    } catch (...) {
        bulk_stop(*b);
        if (b->target_lock) { /* put the index back as the writer's */
            db->shards[0] = std::move(b->target_lock);
            db->db.reset(new Xapian::Database(*db->shards[0]));
        }
        return translate(err, db->path.c_str());
    }
}

int iqn_db_finish(struct iqn_db *db, struct iqn_error *err)
{
    if (!db || !db->bulk)
        return IQN_OK;
    try {
        iqn_bulk &b = *db->bulk;
        bulk_stop(b);
        bulk_check(b);
        Xapian::WritableDatabase &main = *db->shards[0];
        main.commit();
        Xapian::Database all;
        for (auto &p : b.parts) {
            p->wdb->close();
            all.add_database(Xapian::Database(p->path));
        }
        std::string merged = b.work + "/merged";
        all.compact(merged);
        {
            Xapian::WritableDatabase m(merged, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
            for (auto k = main.metadata_keys_begin(); k != main.metadata_keys_end(); ++k)
                m.set_metadata(*k, main.get_metadata(*k));
            m.commit();
            m.close();
        }
        db->db.reset();
        main.close();
        db->shards.clear();
        sync_folder(merged);
        exchange(merged, b.target, b.work + "/old");
        sync_dir(b.target.rfind('/') == std::string::npos ? "." : b.target.substr(0, b.target.rfind('/') + 1));
        b.target_lock->close(); /* the empty index, now in the work folder */
        b.target_lock.reset();
        std::filesystem::remove_all(b.work);
        db->bulk.reset();
        db->shards.emplace_back(new Xapian::WritableDatabase(db->path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS));
        db->db.reset(new Xapian::Database(*db->shards[0]));
        return IQN_OK;
    } catch (...) {
        return translate(err, db->path.c_str());
    }
}

int iqn_db_shard_count(struct iqn_db *db)
{
    return db->shards.empty() ? 0 : (int)db->shards.size();
}

void iqn_db_close(struct iqn_db *db)
{
    if (!db)
        return;
    if (db->bulk)
        bulk_stop(*db->bulk); /* not finished: the index stays as it was; the next run clears the rest */
    for (auto &w : db->shards) {
        try {
            w->close();
        } catch (...) {
            /* Closing can only fail on a write error; the last commit stays intact. */
        }
    }
    delete db;
}

void iqn_db_set_vocab(struct iqn_db *db, const struct iqn_vocab *v)
{
    db->vocab = v;
}

int iqn_db_reopen(struct iqn_db *db, int *changed, struct iqn_error *err)
{
    try {
        bool moved = db->shards.empty() ? reopen_index(db) : false;
        if (changed)
            *changed = moved ? 1 : 0;
        return IQN_OK;
    } catch (...) {
        return translate(err, db->path.c_str());
    }
}

int iqn_db_upsert(struct iqn_db *db, const struct iqn_record *r, enum iqn_upsert_result *out, struct iqn_error *err)
{
    const char *id = iqn_record_get(r, IQN_F_ID);
    if (db->shards.empty())
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    if (!id)
        return iqn_error_set(err, IQN_EINVAL, "record has no id");
    try {
        Xapian::WritableDatabase &home = shard_of(db, id);
        Xapian::docid pdid;
        record_ptr partner = load_partner(db, r, &pdid);
        std::string hash;
        Xapian::Document doc;
        encoded enc;
        if (db->bulk) {
            enc = encode_pair(r, partner.get());
            hash = enc.hash;
            doc = main_entry(r, enc);
        } else {
            doc = build_document(db, r, partner.get(), hash);
        }
        std::string idterm = std::string(IQN_PREFIX_ID) + id;
        Xapian::docid existing;
        enum iqn_upsert_result res = classify(home, idterm, hash, &existing);
        if (db->mark_analysis && res != IQN_UPSERT_UNCHANGED) {
            for (auto &w : db->shards) /* during a bulk build, main: its metadata is published */
                w->set_metadata(analysis_key, analysis_no_stops);
            db->mark_analysis = false;
        }
        if (res != IQN_UPSERT_UNCHANGED) {
            /* A translation this record no longer names loses its copy of our text. */
            Xapian::docid odid;
            record_ptr old = existing ? load_record(home, id, &odid) : record_ptr(nullptr, iqn_record_free);
            Xapian::docid old_pdid = 0;
            record_ptr old_partner = old ? load_partner(db, old.get(), &old_pdid) : record_ptr(nullptr, iqn_record_free);
            size_t k = 0;
            if (db->bulk) {
                k = existing ? part_of(*db->bulk, home, existing) : least_loaded(*db->bulk);
                set_part(doc, k);
            }
            if (existing)
                home.replace_document(existing, doc);
            else
                home.add_document(doc); /* classify found no record with this id */
            if (db->bulk)
                bulk_put(*db->bulk, k, id, r, partner.get(), std::move(enc), existing == 0);
            if (old_partner && old_pdid != pdid)
                rebuild(db, old_pdid, old_partner.get(), nullptr);
            if (partner)
                rebuild(db, pdid, partner.get(), r);
        }
        if (out)
            *out = res;
        return IQN_OK;
    } catch (...) {
        return translate(err, id);
    }
}

int iqn_db_classify(struct iqn_db *db, const struct iqn_record *r, enum iqn_upsert_result *out,
                    struct iqn_error *err)
{
    const char *id = iqn_record_get(r, IQN_F_ID);
    if (!id)
        return iqn_error_set(err, IQN_EINVAL, "record has no id");
    try {
        Xapian::docid pdid, existing;
        record_ptr partner = load_partner(db, r, &pdid);
        *out = classify(home_of(db, id), std::string(IQN_PREFIX_ID) + id, encode_pair(r, partner.get()).hash,
                        &existing);
        return IQN_OK;
    } catch (...) {
        return translate(err, id);
    }
}

int iqn_db_delete(struct iqn_db *db, const char *id, int *found, struct iqn_error *err)
{
    if (db->shards.empty())
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        std::string idterm = std::string(IQN_PREFIX_ID) + id;
        Xapian::docid did, pdid = 0;
        record_ptr old = load_record(shard_of(db, id), id, &did);
        record_ptr partner = old ? load_partner(db, old.get(), &pdid) : record_ptr(nullptr, iqn_record_free);
        bool exists = did != 0;
        if (exists) {
            size_t k = db->bulk ? part_of(*db->bulk, shard_of(db, id), did) : 0;
            shard_of(db, id).delete_document(idterm);
            if (db->bulk)
                bulk_delete(*db->bulk, k, id);
        }
        if (partner)
            rebuild(db, pdid, partner.get(), nullptr);
        if (found)
            *found = exists ? 1 : 0;
        return IQN_OK;
    } catch (...) {
        return translate(err, id);
    }
}

int iqn_db_commit(struct iqn_db *db, struct iqn_error *err)
{
    if (db->shards.empty())
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        /* Each shard commits atomically; after a crash between two, every shard is still
         * consistent and a re-run of the import brings the late ones up to date. */
        if (db->bulk)
            bulk_check(*db->bulk);
        for (auto &w : db->shards)
            w->commit();
        return IQN_OK;
    } catch (...) {
        return translate(err, db->path.c_str());
    }
}

int iqn_db_get(struct iqn_db *db, const char *id, struct iqn_record **out, struct iqn_error *err)
{
    *out = nullptr;
    for (int attempt = 0;; attempt++) {
        try {
            std::string idterm = std::string(IQN_PREFIX_ID) + id;
            Xapian::PostingIterator p = db->db->postlist_begin(idterm);
            if (p == db->db->postlist_end(idterm))
                return iqn_error_set(err, IQN_ENOTFOUND, "no record with id '%s'", id);
            std::string data = stored_data(db->db->get_document(*p));
            struct iqn_record *r = iqn_record_new();
            if (!r)
                return iqn_error_set(err, IQN_ENOMEM, "out of memory");
            int rc = iqn_record_decode(data.data(), data.size(), r, err);
            if (rc != IQN_OK) {
                iqn_record_free(r);
                return rc;
            }
            *out = r;
            return IQN_OK;
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= 2)
                return iqn_error_set(err, IQN_EINTERNAL, "index kept changing while reading '%s'", id);
            reopen_index(db);
        } catch (...) {
            return translate(err, id);
        }
    }
}

int iqn_db_get_meta(struct iqn_db *db, const char *key, char **out, struct iqn_error *err)
{
    *out = nullptr;
    try {
        std::string v = db->db->get_metadata(key);
        char *s = static_cast<char *>(std::malloc(v.size() + 1));
        if (!s)
            return iqn_error_set(err, IQN_ENOMEM, "out of memory");
        std::memcpy(s, v.data(), v.size());
        s[v.size()] = '\0';
        *out = s;
        return IQN_OK;
    } catch (...) {
        return translate(err, key);
    }
}

int iqn_db_set_meta(struct iqn_db *db, const char *key, const char *value, struct iqn_error *err)
{
    if (db->shards.empty())
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        db->shards[0]->set_metadata(key, value ? value : ""); /* readers see the first shard's metadata */
        return IQN_OK;
    } catch (...) {
        return translate(err, key);
    }
}

int iqn_db_meta_list(struct iqn_db *db, const char *prefix,
                     int (*fn)(void *ctx, const char *key, const char *value), void *ctx, struct iqn_error *err)
{
    try {
        Xapian::Database &x = *db->db; /* a multi-database reads the first shard's metadata */
        for (Xapian::TermIterator k = x.metadata_keys_begin(prefix); k != x.metadata_keys_end(prefix); ++k) {
            std::string key = *k;
            std::string v = x.get_metadata(key);
            if (fn(ctx, key.c_str(), v.c_str()) != 0)
                break;
        }
        return IQN_OK;
    } catch (...) {
        return translate(err, prefix);
    }
}

int iqn_db_stats(struct iqn_db *db, struct iqn_db_stats *out, struct iqn_error *err)
{
    try {
        out->doccount = db->db->get_doccount();
        try {
            out->revision = db->db->get_revision();
        } catch (const Xapian::Error &) {
            out->revision = 0; /* stub and remote databases have no single revision */
        }
        return IQN_OK;
    } catch (...) {
        return translate(err, db->path.c_str());
    }
}

/* ---- search ---- */

namespace {

struct search_state {
    Xapian::Query text;
    Xapian::Query filter[IQN_FACET_COUNT];
    bool has_filter[IQN_FACET_COUNT] = {};
    Xapian::Query date;
    bool has_date = false;
    Xapian::Query other_language; /* paired records in the other language: shown through their pair */
    bool exclude_pairs = false;
    std::string corrected;
};

/* Whether q holds a phrase or NEAR. */
bool positional(const Xapian::Query &q)
{
    Xapian::Query::op op = q.get_type();
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR)
        return true;
    for (size_t i = 0; i < q.get_num_subqueries(); i++)
        if (positional(q.get_subquery(i)))
            return true;
    return false;
}

/* q filtered by f, with f taken down into the branches of an OR or MAX that hold a phrase (the
 * cross-language MAX of a phrase's two stemmings is one). Xapian checks a phrase's positions only
 * on the documents its terms' AND yields, and a filter beside the phrase joins that AND; a filter
 * above an OR or MAX does not, and the phrase then has the positions of every document holding its
 * terms checked, whatever the filter rules out: "for credential" with two facet selections took
 * as long as without any. The matches and weights are the same either way (a filter weighs nothing
 * and an OR adds up, a MAX takes the best of, what its branches match). */
Xapian::Query filter_into(const Xapian::Query &q, const Xapian::Query &f)
{
    Xapian::Query::op op = q.get_type();
    if ((op == Xapian::Query::OP_OR || op == Xapian::Query::OP_MAX) && positional(q)) {
        std::vector<Xapian::Query> subs;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            subs.push_back(filter_into(q.get_subquery(i), f));
        return Xapian::Query(op, subs.begin(), subs.end());
    }
    return Xapian::Query(Xapian::Query::OP_FILTER, q, f);
}

/* q filtered by all of fs (none: q itself). */
Xapian::Query filter_all(const Xapian::Query &q, const std::vector<Xapian::Query> &fs)
{
    if (fs.empty())
        return q;
    return filter_into(q, fs.size() == 1 ? fs[0] : Xapian::Query(Xapian::Query::OP_AND, fs.begin(), fs.end()));
}

Xapian::Query combine(const search_state &st, int skip)
{
    std::vector<Xapian::Query> fs;
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        if (f != skip && st.has_filter[f])
            fs.push_back(st.filter[f]);
    if (st.has_date)
        fs.push_back(st.date);
    Xapian::Query q = filter_all(st.text, fs);
    if (st.exclude_pairs && skip != IQN_FACET_LANG)
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, st.other_language);
    return q;
}

bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* Ranking settings, measured on the Cranfield collection (docs/RELEVANCE.md). Each can be
 * overridden by an environment variable of the same name, for relevance experiments only. */
struct tuning {
    double bm25_k1 = 1.2, bm25_b = 0.75;  /* BM25: term frequency saturation, length normalisation */
    int prf_docs = 5, prf_terms = 15;     /* pseudo-relevance feedback: top documents, terms added */
    double prf_weight = 0.85;             /* weight of the added terms */
    int prf_min_terms = 4;                /* only for queries of at least this many words */
    int prf_min_docs = 1;                 /* candidate terms must be in this many top documents */
    int cross_language = 1;               /* also match stems of the other official language */
    int own_ranking = 1;                  /* BM25 from posting lists where it can (0: Xapian's matcher) */
    double postings_cache_mb = 128;       /* posting lists of common terms kept, for all readers */
    double postings_cache_min = 1024;     /* postings a term needs to be kept */

    static double env(const char *name, double dflt)
    {
        const char *v = std::getenv(name);
        return v && *v ? std::strtod(v, nullptr) : dflt;
    }
    tuning()
    {
        bm25_k1 = env("IQN_BM25_K1", bm25_k1);
        bm25_b = env("IQN_BM25_B", bm25_b);
        prf_docs = (int)env("IQN_PRF_DOCS", prf_docs);
        prf_terms = (int)env("IQN_PRF_TERMS", prf_terms);
        prf_weight = env("IQN_PRF_WEIGHT", prf_weight);
        prf_min_terms = (int)env("IQN_PRF_MIN_TERMS", prf_min_terms);
        prf_min_docs = (int)env("IQN_PRF_MIN_DOCS", prf_min_docs);
        cross_language = (int)env("IQN_CROSS_LANGUAGE", cross_language);
        own_ranking = (int)env("IQN_OWN_RANKING", own_ranking);
        postings_cache_mb = env("IQN_POSTINGS_CACHE_MB", postings_cache_mb);
        postings_cache_min = env("IQN_POSTINGS_CACHE_MIN", postings_cache_min);
    }
};

const tuning &tuned()
{
    static const tuning t; /* read once; thread-safe initialisation */
    return t;
}

/* What a stop word of the parse's language becomes in an index whose stop words are terms apart
 * (StopWordTerms): stop_mark then the word. No stem holds it (query text is folded, control
 * characters out). */
const char stop_mark = '\x01';

/* The query parser's stemmer for an index whose stop words are terms apart: Xapian's parser
 * keeps stop words in phrases ("assessment of nurses") and in queries of stop words only, and
 * stems them; this marks each stop word of its language instead, and stop_words_apart turns
 * the marks into the stop word terms. The stop words are those the index set apart from records
 * in that language. */
class StopMarkingStem : public Xapian::StemImplementation {
    Xapian::Stem inner;
    const Xapian::Stopper *stop;

  public:
    StopMarkingStem(Xapian::Stem stem, const Xapian::Stopper *stopper) : inner(std::move(stem)), stop(stopper) {}
    std::string operator()(const std::string &word) override
    {
        return (*stop)(word) ? stop_mark + word : inner(word);
    }
    std::string get_description() const override
    {
        return "stop marking " + inner.get_description();
    }
};

/* The stop word a leaf of a parse holds (StopMarkingStem), or "". */
std::string stop_marked(const Xapian::Query &q)
{
    if (q.get_type() != Xapian::Query::LEAF_TERM)
        return std::string();
    std::string term = *q.get_terms_begin();
    size_t at = term.find(stop_mark);
    return !term.empty() && term[0] == 'Z' && at != std::string::npos ? term.substr(at + 1) : std::string();
}

/* Parse folded query text with the stemmer of lang; in an index whose stop words are terms apart,
 * its stop words marked (StopMarkingStem). */
Xapian::Query parse_in(Xapian::Database &db, const std::string &text, const char *lang, unsigned flags,
                       std::string *corrected, bool stop_terms)
{
    Xapian::QueryParser qp;
    qp.set_database(db);
    if (stop_terms)
        qp.set_stemmer(Xapian::Stem(new StopMarkingStem(stemmer_for(lang), stopper_for(lang))));
    else
        qp.set_stemmer(stemmer_for(lang));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_ALL_Z);
    qp.set_stopper(stopper_for(nullptr));
    qp.set_default_op(Xapian::Query::OP_OR);
    qp.set_max_expansion(100, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    for (int f = 0; f < IQN_F_COUNT; f++)
        if (iqn_fields[f].prefix)
            qp.add_prefix(iqn_fields[f].name, iqn_fields[f].prefix);
    qp.add_prefix("org", "XO");
    std::vector<std::unique_ptr<FacetFieldProcessor>> procs;
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        procs.emplace_back(new FacetFieldProcessor(f));
        qp.add_boolean_prefix(iqn_facets[f].name, procs.back().get());
    }
    Xapian::Query parsed;
    try {
        parsed = qp.parse_query(text, flags);
    } catch (const Xapian::QueryParserError &) {
        /* Not valid query syntax: search the words as typed. */
        parsed = qp.parse_query(text, 0);
    }
    if (corrected)
        *corrected = qp.get_corrected_query_string();
    return parsed;
}

struct not_mergeable {};

/* Operators whose node can be rebuilt from its subqueries alone (no window, factor or position). */
bool rebuildable(Xapian::Query::op op)
{
    switch (op) {
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_XOR:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX:
        return true;
    default:
        return false;
    }
}

/* Merge two parses of the same text that differ only in their stems: each stemmed term becomes
 * OP_SYNONYM(stem in the UI language, stem in the other language), weighted as one term, and each
 * phrase the better of the phrase stemmed one way or the other. */
Xapian::Query merge_stems(const Xapian::Query &a, const Xapian::Query &b)
{
    if (a.get_description() == b.get_description())
        return a;
    Xapian::Query::op op = a.get_type();
    size_t n = a.get_num_subqueries();
    if (op != b.get_type() || n != b.get_num_subqueries())
        throw not_mergeable();
    if (op == Xapian::Query::LEAF_TERM) {
        if (!stop_marked(a).empty()) /* a stop word in either language, as the parser's stopper has it */
            return a;
        if (!stop_marked(b).empty())
            return b;
        std::string ta = *a.get_terms_begin(), tb = *b.get_terms_begin();
        return Xapian::Query(Xapian::Query::OP_SYNONYM, Xapian::Query(ta), Xapian::Query(tb));
    }
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR)
        return Xapian::Query(Xapian::Query::OP_MAX, a, b); /* the phrase stemmed either way */
    if (!rebuildable(op))
        throw not_mergeable();
    std::vector<Xapian::Query> subs;
    for (size_t i = 0; i < n; i++)
        subs.push_back(merge_stems(a.get_subquery(i), b.get_subquery(i)));
    return Xapian::Query(op, subs.begin(), subs.end());
}

/* Xapian 1.4's query parser leaks when a boolean operator is directly followed by NEAR or ADJ
 * ("NOT NEAR/3"); such a NEAR or ADJ can only be a plain word there, so lower-case it. */
void defuse_near(std::string &text)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR"};
    size_t pos = 0, start, len;
    bool after_op = false;
    while (iqn_text_next_word(text.data(), text.size(), &pos, &start, &len)) {
        std::string w = text.substr(start, len);
        if (after_op && (w == "NEAR" || w == "ADJ"))
            for (size_t i = start; i < start + len; i++)
                text[i] = (char)(text[i] + 32);
        after_op = false;
        for (const char *op : ops)
            after_op |= w == op;
    }
}

/* OP_SYNONYM of terms [lo, hi) as a balanced tree of two-way synonyms. Xapian 1.4 weighs a synonym
 * by an estimate of its frequency made over an OR tree that it shapes by each shard's own term
 * frequencies, rounding to whole documents at every node: a flat synonym of many terms (appr*)
 * would weigh differently on a sharded index. The inner synonyms add no weight of their own; they
 * fix the tree, so the estimate rounds the same way on one index or on any shards. */
Xapian::Query synonym_tree(const std::vector<Xapian::Query> &terms, size_t lo, size_t hi)
{
    if (hi - lo == 1)
        return terms[lo];
    size_t mid = lo + (hi - lo) / 2;
    return Xapian::Query(Xapian::Query::OP_SYNONYM, synonym_tree(terms, lo, mid), synonym_tree(terms, mid, hi));
}

/* Endings that English and French stemmers take off a word (folded, as queries are): a stem
 * shorter than a typed prefix matches that prefix's words only if the rest of the prefix starts
 * one of these and the stemmer indeed takes it off (assessm* finds "assess", from assessment;
 * nursery* does not find "nurs"). */
const char *const stem_endings[] = {
    /* English */
    "s", "es", "ed", "ing", "ings", "ly", "er", "ers", "est", "ment", "ments", "ness", "ful", "fully",
    "ation", "ations", "ational", "ization", "izations", "isation", "isations", "ize", "izes", "ized",
    "izing", "ise", "ised", "ises", "ising", "ive", "ives", "ively", "ivity", "able", "ably", "ability",
    "ible", "ibility", "al", "ally", "ance", "ances", "ence", "ences", "ency", "ic", "ical", "ically",
    "ism", "isms", "ist", "ists", "ity", "ities", "ous", "ously", "ousness", "ent", "ently", "ant",
    "ement", "ements", "ator", "ators", "ative", "atives", "ion", "ions", "ier", "iest", "iness",
    "ied", "ies", "y",
    /* French */
    "e", "ee", "ees", "ere", "eres", "iers", "iere", "ieres", "ateur", "ateurs", "atrice", "atrices",
    "ite", "ites", "ique", "iques", "isme", "ismes", "iste", "istes", "eur", "eurs", "euse", "euses",
    "ables", "ibles", "if", "ifs", "ante", "ants", "antes", "ente", "ents", "entes", "ale", "ales",
    "aux", "elle", "elles", "ez", "ais", "ait", "aient", "ir", "is", "it", "issent", "issant",
    "issement", "issements", "logie", "logies"};

/* The end of the run of capitals (a term prefix: "S", "XS") in term from position from. */
size_t prefix_end(const std::string &term, size_t from)
{
    while (from < term.size() && term[from] >= 'A' && term[from] <= 'Z')
        from++;
    return from;
}

/* Whether the word of text at [start, start + len) names a field ("title" in title:nurses). */
bool field_name(const std::string &text, size_t start, size_t len)
{
    return start + len < text.size() && text[start + len] == ':';
}

/* The stems a wildcard pattern (prefix + typed start of a word) stands for: the index holds stems
 * only, so nurs* looks for stems that begin "nurs", stems that are shorter than what was typed
 * but that its words stem to (see stem_endings), and the typed word's own stems. */
std::map<std::string, Xapian::doccount> wildcard_stems(Xapian::Database &xdb, const std::string &pattern)
{
    size_t p = prefix_end(pattern, 0);
    const std::string prefix = "Z" + pattern.substr(0, p), word = pattern.substr(p);
    std::map<std::string, Xapian::doccount> out; /* stem term, its document frequency */
    if (word.empty())
        return out;
    const std::string start = prefix + word;
    for (auto t = xdb.allterms_begin(start); t != xdb.allterms_end(start); ++t)
        out.emplace(*t, t.get_termfreq());
    Xapian::Stem en = stemmer_for("en"), fr = stemmer_for("fr"); /* stemmers keep state: one per call */
    for (const std::string &s : {en(word), fr(word)}) {
        Xapian::doccount tf = s.empty() || out.count(prefix + s) ? 0 : xdb.get_termfreq(prefix + s);
        if (tf)
            out.emplace(prefix + s, tf);
    }
    for (size_t k = word.size() - 1; k >= 2; k--) {
        if (((unsigned char)word[k] & 0xC0) == 0x80)
            continue; /* inside a UTF-8 character */
        const std::string stem = word.substr(0, k), rest = word.substr(k);
        Xapian::doccount tf = out.count(prefix + stem) ? 0 : xdb.get_termfreq(prefix + stem);
        if (!tf)
            continue;
        for (const char *e : stem_endings) {
            std::string whole = stem + e;
            if (std::strncmp(e, rest.c_str(), rest.size()) == 0 && (en(whole) == stem || fr(whole) == stem)) {
                out.emplace(prefix + stem, tf);
                break;
            }
        }
    }
    return out;
}

/* Expand wildcards (nurs*) against the whole index, at most 100 most frequent stems: Xapian 1.4
 * expands them shard by shard, which would make a sharded index score them differently, and over
 * the words as written, which the index does not hold. */
Xapian::Query expand_wildcards(Xapian::Database &xdb, const Xapian::Query &q)
{
    Xapian::Query::op op = q.get_type();
    if (op == Xapian::Query::OP_WILDCARD) {
        std::string d = q.get_description(); /* "Query(WILDCARD SYNONYM pattern)" */
        size_t sp = d.find(' ', d.find("WILDCARD ") + 9);
        if (d.compare(0, 15, "Query(WILDCARD ") != 0 || sp == std::string::npos || d.back() != ')')
            return q;
        std::string pattern = d.substr(sp + 1, d.size() - sp - 2);
        std::vector<std::pair<Xapian::doccount, std::string>> found;
        for (const auto &t : wildcard_stems(xdb, pattern))
            found.emplace_back(t.second, t.first);
        std::sort(found.begin(), found.end(), [](const std::pair<Xapian::doccount, std::string> &a,
                                                  const std::pair<Xapian::doccount, std::string> &b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        if (found.size() > 100)
            found.resize(100);
        std::vector<Xapian::Query> terms;
        for (const auto &f : found)
            terms.emplace_back(f.second);
        if (terms.empty())
            return Xapian::Query();
        return synonym_tree(terms, 0, terms.size());
    }
    size_t n = q.get_num_subqueries();
    if (n == 0 || q.get_description().find("WILDCARD") == std::string::npos)
        return q;
    if (!rebuildable(op))
        return q; /* inside a phrase or a scaled query: left to Xapian */
    std::vector<Xapian::Query> subs;
    for (size_t i = 0; i < n; i++)
        subs.push_back(expand_wildcards(xdb, q.get_subquery(i)));
    return Xapian::Query(op, subs.begin(), subs.end());
}

/* The window of a phrase or NEAR, read from its description ("(a PHRASE 2 b)"): Xapian 1.4 has no
 * accessor for it. */
Xapian::termcount window_of(const Xapian::Query &q)
{
    std::string d = q.get_description();
    const char *op = q.get_type() == Xapian::Query::OP_PHRASE ? " PHRASE " : " NEAR ";
    size_t at = d.find(op);
    if (at == std::string::npos)
        return 0;
    return (Xapian::termcount)std::strtoul(d.c_str() + at + std::strlen(op), nullptr, 10);
}


/* q with its marked stop words (StopMarkingStem) as the index holds them, terms apart without
 * positions: a phrase or NEAR becomes the phrase of its other words, which the index holds side
 * by side, filtered by its stop words ("assessment of nurses": records with "assessment nurses"
 * as a phrase once stop words are left out, and "of" anywhere); a phrase of stop words only
 * ("to be or not") is the AND of them; a stop word the parser kept elsewhere ("the", "the NOT
 * nurses") is its term. */
Xapian::Query stop_words_apart(const Xapian::Query &q)
{
    Xapian::Query::op op = q.get_type();
    size_t n = q.get_num_subqueries();
    std::string word = stop_marked(q);
    if (!word.empty())
        return Xapian::Query(word);
    bool marked = false;
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end() && !marked; ++t)
        marked = (*t).find(stop_mark) != std::string::npos;
    if (n == 0 || !marked)
        return q;
    std::vector<Xapian::Query> subs;
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        std::vector<Xapian::Query> stops;
        for (size_t i = 0; i < n; i++) {
            Xapian::Query sub = q.get_subquery(i);
            std::string w = stop_marked(sub);
            if (w.empty())
                subs.push_back(sub);
            else
                stops.emplace_back(w);
        }
        Xapian::Query all_stops(Xapian::Query::OP_AND, stops.begin(), stops.end());
        if (subs.empty())
            return all_stops;
        Xapian::Query words = subs[0];
        if (subs.size() > 1) {
            Xapian::termcount window = window_of(q);
            if (op == Xapian::Query::OP_PHRASE) /* "a ADJ/3 b": the stop words took up the window */
                window = window > stops.size() ? window - (Xapian::termcount)stops.size() : 0;
            words = Xapian::Query(op, subs.begin(), subs.end(), std::max<Xapian::termcount>(window, subs.size()));
        }
        return Xapian::Query(Xapian::Query::OP_FILTER, words, all_stops);
    }
    if (!rebuildable(op))
        return q;
    for (size_t i = 0; i < n; i++)
        subs.push_back(stop_words_apart(q.get_subquery(i)));
    return Xapian::Query(op, subs.begin(), subs.end());
}

/* A field's terms ("ZS" + stem for the title) are indexed without positions, at half the cost of
 * an import's positions (docs/BENCHMARKS.md): the field's text is also indexed as the record's
 * text ("Z" + stem), with positions. So a phrase or NEAR within a field, title:"foreign nurses",
 * becomes the same phrase over the text's stems, filtered by the field's terms: the field holds
 * every word, and the record the phrase. It is weighed by the field's terms, as before. */
Xapian::Query field_phrases(const Xapian::Query &q)
{
    Xapian::Query::op op = q.get_type();
    size_t n = q.get_num_subqueries();
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        std::vector<Xapian::Query> field, text;
        for (size_t i = 0; i < n; i++) {
            Xapian::Query sub = q.get_subquery(i);
            if (sub.get_type() != Xapian::Query::LEAF_TERM)
                return q;
            std::string term = *sub.get_terms_begin();
            size_t p = prefix_end(term, 1);
            if (term.size() < 2 || term[0] != 'Z')
                return q; /* not stems */
            if (p > 1) /* a field's: title:"a b", title:a NEAR title:b or title:a NEAR b */
                field.push_back(sub);
            text.emplace_back("Z" + term.substr(p), sub.get_length());
        }
        if (field.empty())
            return q; /* the text's own phrase */
        Xapian::Query words(Xapian::Query::OP_AND, field.begin(), field.end());
        Xapian::Query phrase(op, text.begin(), text.end(), window_of(q));
        return Xapian::Query(Xapian::Query::OP_FILTER, words, phrase);
    }
    if (n == 0 || !rebuildable(op) || !positional(q))
        return q;
    std::vector<Xapian::Query> subs;
    for (size_t i = 0; i < n; i++)
        subs.push_back(field_phrases(q.get_subquery(i)));
    return Xapian::Query(op, subs.begin(), subs.end());
}

/* Lower-case every word but the query operators: Xapian's parser does not stem capitalised words
 * (taking them for names), and people capitalise the first word of a query ("Infirmières"). */
void lower_words(std::string &text)
{
    static const char *const ops[] = {"AND", "OR", "NOT", "XOR", "NEAR", "ADJ"};
    size_t pos = 0, start, len;
    while (iqn_text_next_word(text.data(), text.size(), &pos, &start, &len)) {
        std::string w = text.substr(start, len);
        bool op = false;
        for (const char *o : ops)
            op |= w == o;
        if (op)
            continue;
        for (size_t i = start; i < start + len; i++)
            if (text[i] >= 'A' && text[i] <= 'Z')
                text[i] = (char)(text[i] + 32);
    }
}

bool word_known(Xapian::Database &xdb, const std::string &w);

/* Some word of text, not a field name, that the index does not know (as suggestion() judges). */
bool has_unknown_word(Xapian::Database &xdb, const char *text)
{
    std::string folded = fold(text, std::strlen(text), 1);
    size_t pos = 0, start, len;
    while (iqn_text_next_word(folded.data(), folded.size(), &pos, &start, &len)) {
        if (!field_name(folded, start, len) && !word_known(xdb, folded.substr(start, len)))
            return true;
    }
    return false;
}

Xapian::Query parse_text(Xapian::Database &db, const struct iqn_query *q, std::string *corrected, bool stop_terms)
{
    if (blank(q->text))
        return Xapian::Query(std::string()); /* match all; Query::MatchAll is a shared, unlocked object */
    std::string text = fold(q->text, std::strlen(q->text), 0);
    defuse_near(text);
    lower_words(text);
    unsigned flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                     Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                     Xapian::QueryParser::FLAG_PURE_NOT;
    if (q->partial)
        flags |= Xapian::QueryParser::FLAG_PARTIAL;
    const char *lang = q->lang && std::strcmp(q->lang, "fr") == 0 ? "fr" : "en";
    /* Xapian's spelling correction looks every word up in the spelling table, at some cost, but
     * did_you_mean only ever replaces words the index does not know (suggestion()): ask for it
     * only when the query has one. */
    bool spelling = q->spelling && has_unknown_word(db, q->text);
    Xapian::Query parsed = parse_in(db, text, lang, flags | (spelling ? (unsigned)Xapian::QueryParser::FLAG_SPELLING_CORRECTION : 0u),
                                    spelling ? corrected : nullptr, stop_terms);
    if (tuned().cross_language) {
        /* Also match words stemmed the other official language's way. */
        Xapian::Query other = parse_in(db, text, lang[0] == 'f' ? "en" : "fr", flags, nullptr, stop_terms);
        try {
            parsed = merge_stems(parsed, other);
        } catch (const not_mergeable &) {
            /* Shapes differ (rare: a stop word in one language only): keep the UI language's parse. */
        }
    }
    if (stop_terms)
        parsed = stop_words_apart(parsed);
    parsed = field_phrases(expand_wildcards(db, parsed));
    if (parsed.empty())
        return Xapian::Query();
    return parsed;
}

bool facet_prefix(const std::string &prefix)
{
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        if (prefix == iqn_facets[f].prefix)
            return true;
    return prefix == IQN_PREFIX_ID || prefix == IQN_PREFIX_YEAR;
}

/* Query terms to highlight: "Zstem" and "ZSstem" are stems, other lower-case terms words;
 * filter terms are left out. */
void collect_highlight(const Xapian::Query &text, struct iqn_highlight *hl)
{
    for (auto t = text.get_unique_terms_begin(); t != text.get_unique_terms_end(); ++t) {
        std::string term = *t;
        bool stemmed = !term.empty() && term[0] == 'Z';
        size_t p = prefix_end(term, stemmed ? 1 : 0);
        if (!stemmed && facet_prefix(term.substr(0, p)))
            continue;
        if (p < term.size())
            iqn_highlight_add(hl, term.data() + p, term.size() - p, stemmed ? 1 : 0);
    }
}

void count_facet(Xapian::ValueCountMatchSpy &spy, std::vector<std::pair<std::string, unsigned long long>> &out)
{
    std::map<std::string, unsigned long long> counts;
    for (auto v = spy.values_begin(); v != spy.values_end(); ++v) {
        const std::string set = *v;
        unsigned long long n = v.get_termfreq();
        size_t start = 0;
        while (start <= set.size()) {
            size_t comma = set.find(',', start);
            if (comma == std::string::npos)
                comma = set.size();
            if (comma > start)
                counts[set.substr(start, comma - start)] += n;
            start = comma + 1;
        }
    }
    out.assign(counts.begin(), counts.end());
}

char *dup_cstr(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

/* Store one facet's counts (code, count > 0) in res, largest first, then by code. */
void store_facet(struct iqn_result *res, int f, std::vector<std::pair<std::string, unsigned long long>> &counts)
{
    std::sort(counts.begin(), counts.end(),
              [](const std::pair<std::string, unsigned long long> &a, const std::pair<std::string, unsigned long long> &b) {
                  return a.second != b.second ? a.second > b.second : a.first < b.first;
              });
    res->facet[f] = static_cast<struct iqn_facet_count *>(std::calloc(counts.size() + 1, sizeof(struct iqn_facet_count)));
    if (!res->facet[f])
        throw std::bad_alloc();
    for (const auto &c : counts) {
        res->facet[f][res->nfacet[f]].code = dup_cstr(c.first);
        res->facet[f][res->nfacet[f]].count = c.second;
        res->nfacet[f]++;
    }
}

void fill_facets(struct iqn_result *res, int f, Xapian::ValueCountMatchSpy &spy)
{
    std::vector<std::pair<std::string, unsigned long long>> counts;
    count_facet(spy, counts);
    store_facet(res, f, counts);
}

/* Read every facet value slot of xdb into a facet_table. */
std::shared_ptr<const facet_table> build_table(Xapian::Database &xdb, const std::string &path)
{
    auto t = std::make_shared<facet_table>();
    t->postings_key = path + '\0' + xdb.get_uuid() + '\0' + std::to_string(xdb.get_revision()) + '\0';
    t->last = xdb.get_lastdocid();
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        std::map<std::string, uint16_t> ids;
        std::vector<uint32_t> &offs = t->offs[f];
        std::vector<uint16_t> &codes = t->codes[f];
        offs.assign((size_t)t->last + 2, 0);
        Xapian::docid next = 1;
        for (auto v = xdb.valuestream_begin(iqn_facets[f].slot); v != xdb.valuestream_end(iqn_facets[f].slot); ++v) {
            Xapian::docid d = v.get_docid();
            while (next <= d && next <= t->last)
                offs[next++] = (uint32_t)codes.size();
            const std::string set = *v;
            size_t start = 0;
            while (start < set.size()) {
                size_t comma = set.find(',', start);
                if (comma == std::string::npos)
                    comma = set.size();
                std::string code = set.substr(start, comma - start);
                auto it = ids.find(code);
                if (it == ids.end()) {
                    if (t->names[f].size() >= 65535)
                        return nullptr; /* not a vocabulary any more: count the slow way */
                    it = ids.emplace(code, (uint16_t)t->names[f].size()).first;
                    t->names[f].push_back(code);
                }
                codes.push_back(it->second);
                start = comma + 1;
            }
        }
        while (next <= t->last + 1)
            offs[next++] = (uint32_t)codes.size();
    }
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        t->base[f + 1] = t->base[f] + t->names[f].size();
    if (t->base[IQN_FACET_COUNT] > 65535)
        return nullptr; /* not vocabularies any more: count the slow way */
    t->all_offs.assign((size_t)t->last + 2, 0);
    for (Xapian::docid d = 1; d <= t->last; d++) {
        t->all_offs[d] = (uint32_t)t->all_codes.size();
        for (int f = 0; f < IQN_FACET_COUNT; f++)
            for (uint32_t i = t->offs[f][d], end = t->offs[f][d + 1]; i < end; i++)
                t->all_codes.push_back((uint16_t)(t->base[f] + t->codes[f][i]));
    }
    t->all_offs[t->last + 1] = (uint32_t)t->all_codes.size();
    t->paired.assign((size_t)t->last + 1, 0);
    for (auto p = xdb.postlist_begin(IQN_TERM_PAIRED); p != xdb.postlist_end(IQN_TERM_PAIRED); ++p)
        if (*p <= t->last)
            t->paired[*p] = 1;
    t->tiebreak.assign((size_t)t->last + 1, 0.0);
    for (auto v = xdb.valuestream_begin(IQN_SLOT_TIEBREAK); v != xdb.valuestream_end(IQN_SLOT_TIEBREAK); ++v) {
        Xapian::docid d = v.get_docid();
        if (d <= t->last) {
            t->tiebreak[d] = Xapian::sortable_unserialise(*v);
            t->tiebreak_max = std::max(t->tiebreak_max, t->tiebreak[d]);
        }
    }
    /* Date order as a number a document: equal values share a rank; no value sorts first, as an
     * empty one does in Xapian's sort by value. */
    struct sort_key {
        uint64_t head; /* the value's first 8 bytes, big-endian: most comparisons end here */
        Xapian::docid did;
        std::string value;
    };
    std::vector<sort_key> keys;
    for (auto v = xdb.valuestream_begin(IQN_SLOT_SORT); v != xdb.valuestream_end(IQN_SLOT_SORT); ++v) {
        if (v.get_docid() > t->last)
            continue;
        sort_key k{0, v.get_docid(), *v};
        for (size_t i = 0; i < 8; i++)
            k.head = k.head << 8 | (i < k.value.size() ? (unsigned char)k.value[i] : 0u);
        keys.push_back(std::move(k));
    }
    std::sort(keys.begin(), keys.end(), [](const sort_key &a, const sort_key &b) {
        return a.head != b.head ? a.head < b.head : a.value < b.value;
    });
    t->sort_rank.assign((size_t)t->last + 1, 0);
    for (size_t i = 0, rank = 0; i < keys.size(); i++) {
        if (i == 0 || keys[i].value != keys[i - 1].value)
            rank++;
        t->sort_rank[keys[i].did] = (uint32_t)rank;
    }
    t->doclen.assign((size_t)t->last + 1, 0);
    for (auto p = xdb.postlist_begin(std::string()); p != xdb.postlist_end(std::string()); ++p)
        if (*p <= t->last)
            t->doclen[*p] = p.get_doclength();
    /* As BM25Weight::get_sumpart computes it, with the ranking settings and this revision's
     * average length. */
    const double k1 = tuned().bm25_k1, b = tuned().bm25_b, avg = xdb.get_avlength();
    const double len_factor = b != 0 && k1 != 0 && avg != 0 ? 1 / avg : 0, min_normlen = 0.5;
    t->bm25_len.assign((size_t)t->last + 1, 0.0);
    for (Xapian::docid d = 1; d <= t->last; d++) {
        double normlen = std::max(t->doclen[d] * len_factor, min_normlen);
        t->bm25_len[d] = k1 * (normlen * b + (1 - b));
    }
    return t;
}

/* This reader's facet table for the revision it is on, rebuilt when the index has moved; null
 * for stub, remote and writer handles, which count with ValueCountMatchSpy. */
const facet_table *table_for(struct iqn_db *db)
{
    if (!db->single)
        return nullptr;
    Xapian::rev rev = db->db->get_revision();
    if (!db->table || rev != db->table_rev) {
        db->table = build_table(*db->db, db->path);
        db->table_rev = rev;
    }
    return db->table.get();
}

/* Every facet count of a search, and its exact total, in one pass over a facet_table. The pass
 * runs over the text matches without facet filters or the leaving-out of other-language pairs,
 * and sorts each match by what it fails: nothing, and it counts in the total and in every facet;
 * exactly one facet's selection, and it counts in that facet only, which is that facet's
 * disjunctive count (its own selection left out); the leaving-out only, and it counts in the
 * language facet only (whose counts say what choosing a language gives); more, and it counts
 * nowhere. */
class CountSpy : public Xapian::MatchSpy {
    const facet_table &t;
    std::vector<char> chosen[IQN_FACET_COUNT]; /* by code id: selected in facet f */
    int selected[IQN_FACET_COUNT] = {}; /* the facets with a selection */
    int nselected = 0;
    bool exclude = false;
    long ui_lang = -1; /* code id of the reader's language in the language facet */

    bool passes(int f, Xapian::docid d) const
    {
        for (uint32_t i = t.offs[f][d], end = t.offs[f][d + 1]; i < end; i++)
            if (chosen[f][t.codes[f][i]])
                return true;
        return false;
    }
    void count(int f, Xapian::docid d)
    {
        for (uint32_t i = t.offs[f][d], end = t.offs[f][d + 1]; i < end; i++)
            counts[t.base[f] + t.codes[f][i]]++;
    }

  public:
    std::vector<unsigned long long> counts; /* by base[f] + code id */
    unsigned long long total = 0;

    CountSpy(const facet_table &table, const struct iqn_query *q, bool exclude_pairs) : t(table)
    {
        counts.assign(t.base[IQN_FACET_COUNT], 0);
        for (int f = 0; f < IQN_FACET_COUNT; f++) {
            chosen[f].assign(t.names[f].size(), 0);
            if (q->nfilter[f] > 0)
                selected[nselected++] = f;
            for (size_t k = 0; k < q->nfilter[f]; k++) /* filter terms are lower case: so is this */
                for (size_t c = 0; c < t.names[f].size(); c++)
                    if (lower_ascii(t.names[f][c]) == lower_ascii(q->filter[f][k]))
                        chosen[f][c] = 1;
        }
        exclude = exclude_pairs;
        const std::string lang = lower_ascii(q->lang ? q->lang : "en");
        for (size_t c = 0; c < t.names[IQN_FACET_LANG].size(); c++)
            if (lower_ascii(t.names[IQN_FACET_LANG][c]) == lang)
                ui_lang = (long)c;
    }
    void operator()(const Xapian::Document &doc, double) override
    {
        add(doc.get_docid());
    }
    /* Count match d; true if it passes every condition (it is one of the hits). */
    inline __attribute__((always_inline)) bool add(Xapian::docid d)
    {
        if (d > t.last)
            return false;
        int fails = 0, which = -1;
        for (int i = 0; i < nselected; i++) {
            int f = selected[i];
            if (!passes(f, d)) {
                if (++fails > 1)
                    return false;
                which = f;
            }
        }
        if (exclude && t.paired[d]) {
            bool in_ui_lang = false;
            for (uint32_t i = t.offs[IQN_FACET_LANG][d], end = t.offs[IQN_FACET_LANG][d + 1]; i < end; i++)
                in_ui_lang = in_ui_lang || (long)t.codes[IQN_FACET_LANG][i] == ui_lang;
            if (!in_ui_lang) {
                if (++fails > 1)
                    return false;
                which = IQN_FACET_LANG;
            }
        }
        if (fails == 1) {
            count(which, d);
            return false;
        }
        total++;
        for (uint32_t i = t.all_offs[d], end = t.all_offs[d + 1]; i < end; i++)
            counts[t.all_codes[i]]++;
        return true;
    }
    void store(struct iqn_result *res, int f) const
    {
        std::vector<std::pair<std::string, unsigned long long>> out;
        for (size_t i = 0; i < t.names[f].size(); i++)
            if (counts[t.base[f] + i])
                out.emplace_back(t.names[f][i], counts[t.base[f] + i]);
        store_facet(res, f, out);
    }
};

/* The documents q matches, as a bitmap of docids 1..last: terms and the boolean structure above
 * them, read straight from the posting lists, without the ranked matcher's cost per match. False
 * for what only the matcher can decide (phrases, NEAR, posting sources, value ranges, elite sets). */
bool match_bits(Xapian::Database &xdb, const Xapian::Query &q, Xapian::docid last, std::vector<uint64_t> &out)
{
    out.assign((size_t)last / 64 + 1, 0);
    switch (q.get_type()) {
    case Xapian::Query::LEAF_MATCH_NOTHING:
        return true;
    case Xapian::Query::LEAF_MATCH_ALL:
    case Xapian::Query::LEAF_TERM: {
        std::string term = q.get_type() == Xapian::Query::LEAF_TERM ? *q.get_terms_begin() : std::string();
        for (auto p = xdb.postlist_begin(term); p != xdb.postlist_end(term); ++p) {
            Xapian::docid d = *p;
            if (d <= last)
                out[d >> 6] |= (uint64_t)1 << (d & 63);
        }
        return true;
    }
    case Xapian::Query::OP_SCALE_WEIGHT:
    case Xapian::Query::OP_AND_MAYBE: /* matches what its first subquery matches */
        return match_bits(xdb, q.get_subquery(0), last, out);
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX:
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_XOR: {
        Xapian::Query::op op = q.get_type();
        std::vector<uint64_t> sub;
        for (size_t i = 0; i < q.get_num_subqueries(); i++) {
            if (!match_bits(xdb, q.get_subquery(i), last, i == 0 ? out : sub))
                return false;
            if (i == 0)
                continue;
            for (size_t w = 0; w < out.size(); w++) {
                if (op == Xapian::Query::OP_AND || op == Xapian::Query::OP_FILTER)
                    out[w] &= sub[w];
                else if (op == Xapian::Query::OP_AND_NOT)
                    out[w] &= ~sub[w];
                else if (op == Xapian::Query::OP_XOR)
                    out[w] ^= sub[w];
                else
                    out[w] |= sub[w];
            }
        }
        return true;
    }
    default:
        return false;
    }
}

/* BM25 relevance computed straight from the posting lists, for a single local index: the weights
 * Xapian's matcher gives with the same BM25Weight parameters (checked against it, and against a
 * sharded index, by the tests), without its cost per match. Every match of an any-word query is
 * visited either way (the exact total and the facet counts need them all); here a visit is an
 * array update instead of a pass through the matcher's tree of posting lists. */
class ranker {
    Xapian::Database &xdb;
    const facet_table &t;
    double k1, ndocs;
    std::set<std::string> seen; /* a term twice in a query has a query frequency this does not model */
    std::set<std::string> unweighted; /* terms only matched (below FILTER, AND_NOT): they count too */

  public:
    std::vector<double> acc; /* by docid: the sum of the weights of the terms it matched */

    ranker(Xapian::Database &db, const facet_table &table) : xdb(db), t(table)
    {
        k1 = tuned().bm25_k1;
        ndocs = (double)xdb.get_doccount();
        acc.assign((size_t)t.last + 1, 0.0);
    }

    /* The weight of a term in tf documents, as Xapian's BM25Weight::init gives it. */
    double term_weight(Xapian::doccount tf, double factor) const
    {
        double tw = (ndocs - tf + 0.5) / (tf + 0.5);
        if (tw < 2)
            tw = tw * 0.5 + 1;
        double w = std::log(tw) * factor; /* times (k3 + 1) wqf / (k3 + wqf), which is 1 at wqf 1 */
        return w * (k1 + 1);
    }
    /* The weight of wdf occurrences in document d, as BM25Weight::get_sumpart gives it. */
    double part(double termweight, Xapian::termcount wdf, Xapian::docid d) const
    {
        double wdf_double = wdf;
        return termweight * (wdf_double / (t.bm25_len[d] + wdf_double));
    }

    /* term's posting list: from the process's cache for a common term (read into it the first
     * time), read afresh for a rare one, which costs little. */
    std::shared_ptr<const term_postings> postings(const std::string &term, Xapian::doccount tf) const
    {
        const double common = tuned().postings_cache_min;
        std::string key;
        if (tf >= common) {
            key = t.postings_key + term;
            if (auto cached = shared_postings().find(key))
                return cached;
        }
        auto list = std::make_shared<term_postings>();
        list->did.reserve(tf);
        list->wdf.reserve(tf);
        const Xapian::PostingIterator end;
        for (auto p = xdb.postlist_begin(term); p != end; ++p) {
            list->did.push_back(*p);
            list->wdf.push_back(p.get_wdf());
        }
        if (tf >= common) {
            size_t bytes = list->did.size() * (sizeof(Xapian::docid) + sizeof(Xapian::termcount)) + key.size() + 96;
            shared_postings().add(key, list, bytes, (size_t)(tuned().postings_cache_mb * 1024 * 1024));
        }
        return list;
    }

    bool fresh(const Xapian::Query &leaf)
    {
        std::string term = *leaf.get_terms_begin();
        /* "#" in the description: a query frequency above 1 (rare; the matcher handles it) */
        return !term.empty() && leaf.get_description().find('#') == std::string::npos && seen.insert(term).second;
    }

    /* The whole text query q: its matches into out and their weights into acc; false when only the
     * matcher can weigh it. */
    bool rank(const Xapian::Query &q, std::vector<uint64_t> &out)
    {
        if (!run(q, 1.0, true, out))
            return false;
        for (const std::string &term : unweighted)
            if (seen.count(term))
                return false; /* also weighted: its query frequency is more than 1 */
        return true;
    }

    /* Bits of the documents q matches, as match_bits, adding each weighted term's weight into acc.
     * must: every document of the final match matches q, so a term's weight counts wherever the
     * term is (true at the top, and below AND and the first subquery of FILTER, AND_NOT and
     * AND_MAYBE); below OR only terms and ORs of them qualify. False for what the matcher must do. */
    bool run(const Xapian::Query &q, double factor, bool must, std::vector<uint64_t> &out)
    {
        if (factor == 0) {
            for (auto term = q.get_unique_terms_begin(); term != q.get_unique_terms_end(); ++term)
                unweighted.insert(*term);
            return match_bits(xdb, q, t.last, out);
        }
        out.assign((size_t)t.last / 64 + 1, 0);
        switch (q.get_type()) {
        case Xapian::Query::LEAF_MATCH_NOTHING:
            return true;
        case Xapian::Query::LEAF_TERM: {
            if (!fresh(q))
                return false;
            const std::string term = *q.get_terms_begin();
            Xapian::doccount tf = xdb.get_termfreq(term);
            double tw = term_weight(tf, factor);
            auto list = postings(term, tf);
            for (size_t i = 0, n = list->did.size(); i < n; i++) {
                Xapian::docid d = list->did[i];
                if (d > t.last)
                    break;
                out[d >> 6] |= (uint64_t)1 << (d & 63);
                acc[d] += part(tw, list->wdf[i], d);
            }
            return true;
        }
        case Xapian::Query::OP_SYNONYM:
            return synonym(q, factor, out);
        case Xapian::Query::OP_OR: {
            std::vector<uint64_t> sub;
            for (size_t i = 0; i < q.get_num_subqueries(); i++) {
                if (!run(q.get_subquery(i), factor, false, sub))
                    return false;
                for (size_t w = 0; w < out.size(); w++)
                    out[w] |= sub[w];
            }
            return true;
        }
        case Xapian::Query::OP_AND:
        case Xapian::Query::OP_FILTER:
        case Xapian::Query::OP_AND_NOT:
        case Xapian::Query::OP_AND_MAYBE: {
            if (!must)
                return false;
            Xapian::Query::op op = q.get_type();
            std::vector<uint64_t> sub;
            for (size_t i = 0; i < q.get_num_subqueries(); i++) {
                double f = i == 0 || op == Xapian::Query::OP_AND || op == Xapian::Query::OP_AND_MAYBE ? factor : 0;
                if (!run(q.get_subquery(i), f, i == 0 || op == Xapian::Query::OP_AND, i == 0 ? out : sub))
                    return false;
                if (i == 0 || op == Xapian::Query::OP_AND_MAYBE)
                    continue;
                for (size_t w = 0; w < out.size(); w++)
                    out[w] = op == Xapian::Query::OP_AND_NOT ? out[w] & ~sub[w] : out[w] & sub[w];
            }
            return true;
        }
        default:
            return false;
        }
    }

    /* OP_SYNONYM of one or two terms: one term whose wdf is the sum of theirs (at most the
     * document's length) and whose frequency is Xapian's estimate for an OR of the two. */
    bool synonym(const Xapian::Query &q, double factor, std::vector<uint64_t> &out)
    {
        size_t n = q.get_num_subqueries();
        if (n < 1 || n > 2)
            return false;
        std::string term[2];
        for (size_t i = 0; i < n; i++) {
            Xapian::Query s = q.get_subquery(i);
            if (s.get_type() != Xapian::Query::LEAF_TERM || !fresh(s))
                return false;
            term[i] = *s.get_terms_begin();
        }
        Xapian::doccount tfs[2] = {xdb.get_termfreq(term[0]), n == 2 ? xdb.get_termfreq(term[1]) : 0};
        Xapian::doccount tf = tfs[0];
        if (n == 2) {
            Xapian::doccount size = xdb.get_doccount();
            /* Xapian 1.4 OrPostList::get_termfreq_est_using_stats: independent terms */
            double est = (double)tfs[0] + tfs[1] - ((double)tfs[0] * tfs[1] / size);
            tf = static_cast<Xapian::doccount>(est + 0.5);
        }
        double tw = term_weight(tf, factor);
        /* Merge the two posting lists. */
        std::shared_ptr<const term_postings> list[2] = {postings(term[0], tfs[0]), nullptr};
        list[1] = n == 2 ? postings(term[1], tfs[1]) : std::make_shared<term_postings>();
        const term_postings &a = *list[0], &c = *list[1];
        size_t i = 0, j = 0, na = a.did.size(), nc = c.did.size();
        while (i < na || j < nc) {
            Xapian::docid d = j == nc || (i < na && a.did[i] < c.did[j]) ? a.did[i] : c.did[j];
            if (d > t.last)
                break;
            Xapian::termcount wdf = 0;
            if (i < na && a.did[i] == d)
                wdf += a.wdf[i++];
            if (j < nc && c.did[j] == d)
                wdf += c.wdf[j++];
            wdf = std::min(wdf, t.doclen[d]);
            out[d >> 6] |= (uint64_t)1 << (d & 63);
            acc[d] += part(tw, wdf, d);
        }
        return true;
    }
};

void make_snippet(struct iqn_highlight *hl, const struct iqn_record *r, struct iqn_hit *hit)
{
    const char *summary = iqn_record_get(r, IQN_F_SUMMARY);
    const char *body = iqn_record_get(r, IQN_F_BODY);
    const char *texts[2] = {summary, body};
    size_t lens[2] = {summary ? std::strlen(summary) : 0, body ? std::strlen(body) : 0};
    struct iqn_buf out;
    iqn_buf_init(&out, 64 * 1024);
    iqn_snippet(hl, texts, lens, 2, 240, &out);
    hit->snippet = iqn_buf_steal(&out, nullptr);
}




/* The IQN_SLOT_TIEBREAK weights of a facet_table as a posting source: the weights
 * ValueWeightPostingSource gives, read from memory instead of a value stream for every match
 * (a quarter of the query time at 100k records). Local single indexes only: a remote shard knows
 * built-in sources alone. */
class TableTieBreak : public Xapian::PostingSource {
    std::shared_ptr<const facet_table> t;
    Xapian::docid did = 0;

    void advance(Xapian::docid from)
    {
        did = from;
        while (did <= t->last && t->tiebreak[did] == 0.0)
            did++;
    }

  public:
    explicit TableTieBreak(std::shared_ptr<const facet_table> table) : t(std::move(table))
    {
        set_maxweight(t->tiebreak_max);
    }
    void init(const Xapian::Database &) override { did = 0; }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return t->last; }
    Xapian::doccount get_termfreq_max() const override { return t->last; }
    double get_weight() const override { return t->tiebreak[did]; }
    Xapian::docid get_docid() const override { return did; }
    bool at_end() const override { return did > t->last; }
    void next(double) override { advance(did + 1); }
    void skip_to(Xapian::docid to, double) override
    {
        if (to > did)
            advance(to);
    }
    bool check(Xapian::docid to, double) override
    {
        did = to;
        return true; /* at_end() or get_weight() say the rest */
    }
    Xapian::PostingSource *clone() const override { return new TableTieBreak(t); }
    std::string name() const override { return std::string(); }
};

/* q with a tiny extra weight from the IQN_SLOT_TIEBREAK value, which orders documents of equal
 * relevance. A built-in posting source, so it runs on remote shards too, except on a single local
 * index, which reads the same weights from its table. */
Xapian::Query with_tiebreak(struct iqn_db *db, const Xapian::Query &q)
{
    Xapian::PostingSource *src;
    if (table_for(db))
        src = (new TableTieBreak(db->table))->release();
    else
        src = (new Xapian::ValueWeightPostingSource(IQN_SLOT_TIEBREAK))->release();
    return Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, Xapian::Query(src));
}

/* Build the filters of q into st (st.text is set by the caller). */
void add_filters(const struct iqn_query *q, search_state &st)
{
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        if (!q->nfilter[f])
            continue;
        std::vector<Xapian::Query> terms;
        for (size_t i = 0; i < q->nfilter[f]; i++)
            terms.emplace_back(facet_term(f, q->filter[f][i]));
        st.filter[f] = Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
        st.has_filter[f] = true;
    }
    if (q->date_from || q->date_to) {
        st.date = Xapian::Query(Xapian::Query::OP_VALUE_RANGE, IQN_SLOT_DATE, q->date_from ? q->date_from : "",
                                q->date_to ? q->date_to : "99999999");
        st.has_date = true;
    }
}

/* One record per translation pair, in the reader's language: unless the search selects languages
 * itself, paired records in the other language are left out (their text is in their pair). */
void exclude_other_language(Xapian::Database &xdb, const struct iqn_query *q, search_state &st)
{
    if (q->no_collapse || st.has_filter[IQN_FACET_LANG] || !xdb.term_exists(IQN_TERM_PAIRED))
        return;
    /* A language chosen in the query text (lang:fr) counts as a selection too. */
    const std::string lang_prefix = iqn_facets[IQN_FACET_LANG].prefix;
    for (auto t = st.text.get_unique_terms_begin(); t != st.text.get_unique_terms_end(); ++t) {
        const std::string term = *t;
        if (term.size() > lang_prefix.size() && term.compare(0, lang_prefix.size(), lang_prefix) == 0 &&
            term[lang_prefix.size()] >= 'a' && term[lang_prefix.size()] <= 'z')
            return;
    }
    st.other_language = Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query(IQN_TERM_PAIRED),
                                      Xapian::Query(facet_term(IQN_FACET_LANG, q->lang ? q->lang : "en")));
    st.exclude_pairs = true;
}

/* The query CountSpy's pass runs through Xapian's matcher: st without facet filters or the
 * leaving-out of other-language pairs (CountSpy sorts matches by those), narrowed to the matches
 * that pass all of those conditions but one at most: a match failing two counts nowhere (a facet's
 * counts leave out its own selection only), so with two or more conditions the phrases of the
 * query need their positions checked on those alone. */
Xapian::Query unranked_query(const search_state &st)
{
    std::vector<Xapian::Query> conditions;
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        if (st.has_filter[f])
            conditions.push_back(st.filter[f]);
    if (st.exclude_pairs)
        conditions.push_back(Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query(std::string()), st.other_language));
    std::vector<Xapian::Query> fs;
    if (st.has_date)
        fs.push_back(st.date);
    if (conditions.size() >= 2) { /* of two conditions: either (an AND of one is that one) */
        std::vector<Xapian::Query> all_but_one;
        for (size_t skip = 0; skip < conditions.size(); skip++) {
            std::vector<Xapian::Query> rest;
            for (size_t k = 0; k < conditions.size(); k++)
                if (k != skip)
                    rest.push_back(conditions[k]);
            all_but_one.push_back(Xapian::Query(Xapian::Query::OP_AND, rest.begin(), rest.end()));
        }
        fs.push_back(Xapian::Query(Xapian::Query::OP_OR, all_but_one.begin(), all_but_one.end()));
    }
    return filter_all(st.text, fs);
}

/* Counts for a stub, remote shards or no facets: Xapian's own ValueCountMatchSpy, which the remote
 * protocol carries. A facet with a selection is counted in a pass of its own; so is the language
 * facet while paired records in the other language are left out, so that its counts say what
 * choosing a language gives. The others are counted on the main pass, except on remote shards
 * sorted by date: xapian-tcpsrv then counts some documents twice, so they get one unsorted pass. */
void count_with_spies(struct iqn_db *db, const struct iqn_query *q, const search_state &st, Xapian::Enquire &enq,
                      Xapian::MSet &mset, struct iqn_result *res)
{
    Xapian::Database &xdb = *db->db;
    Xapian::doccount all = xdb.get_doccount();
    bool own_pass[IQN_FACET_COUNT];
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        own_pass[f] = st.has_filter[f] || (f == IQN_FACET_LANG && st.exclude_pairs);
    bool separate = db->remote && q->sort != IQN_SORT_RELEVANCE;
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies(IQN_FACET_COUNT);
    Xapian::Enquire counter(xdb);
    counter.set_query(combine(st, -1));
    counter.set_weighting_scheme(Xapian::BoolWeight());
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++) {
        if (own_pass[f])
            continue;
        spies[f].reset(new Xapian::ValueCountMatchSpy(iqn_facets[f].slot));
        (separate ? counter : enq).add_matchspy(spies[f].get());
    }
    mset = enq.get_mset(q->offset, q->limit, all);
    res->total = mset.get_matches_estimated();
    if (separate && q->facets)
        counter.get_mset(0, 0, all);
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++)
        if (spies[f])
            fill_facets(res, f, *spies[f]);

    /* Disjunctive counts: a facet with a selection is counted with its own selection left out. */
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++) {
        if (!own_pass[f])
            continue;
        Xapian::Enquire e2(xdb);
        e2.set_query(combine(st, f));
        e2.set_weighting_scheme(Xapian::BoolWeight());
        Xapian::ValueCountMatchSpy spy(iqn_facets[f].slot);
        e2.add_matchspy(&spy);
        e2.get_mset(0, 0, all);
        fill_facets(res, f, spy);
    }
}

/* The k first hits in Xapian's order for sort: by weight (the text's weight plus the tie-break
 * weight) or by date (its rank in the facet table), then by docid. */
class top_hits {
    struct hit {
        double key; /* larger first */
        Xapian::docid did;
        double weight;
    };
    static bool better(const hit &a, const hit &b) { return a.key > b.key || (a.key == b.key && a.did < b.did); }
    const facet_table &t;
    enum iqn_sort sort;
    size_t k;
    std::vector<hit> heap; /* the worst kept on top */

  public:
    top_hits(const facet_table &table, enum iqn_sort order, size_t count) : t(table), sort(order), k(count)
    {
        heap.reserve(std::min(k, (size_t)1024)); /* a deep page grows it, up to the matches there are */
    }
    /* Document d passes every condition and its text weighs w. */
    inline __attribute__((always_inline)) void offer(Xapian::docid d, double w)
    {
        if (k == 0)
            return;
        if (sort == IQN_SORT_RELEVANCE && heap.size() == k && w + t.tiebreak[d] < heap.front().key)
            return; /* the common case once the heap is full */
        hit h;
        h.did = d;
        if (sort == IQN_SORT_RELEVANCE) {
            h.weight = w + t.tiebreak[d];
            h.key = h.weight;
        } else {
            h.weight = w;
            h.key = sort == IQN_SORT_DATE_DESC ? (double)t.sort_rank[d] : -(double)t.sort_rank[d];
        }
        if (heap.size() < k) {
            heap.push_back(h);
            std::push_heap(heap.begin(), heap.end(), better);
        } else if (better(h, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.back() = h;
            std::push_heap(heap.begin(), heap.end(), better);
        }
    }
    /* The hits from offset on: docid, weight. */
    std::vector<std::pair<Xapian::docid, double>> page(size_t offset)
    {
        std::sort_heap(heap.begin(), heap.end(), better);
        std::vector<std::pair<Xapian::docid, double>> out;
        for (size_t i = offset; i < heap.size(); i++)
            out.emplace_back(heap[i].did, heap[i].weight);
        return out;
    }
};

/* Count every match of bits into spy, and offer those that pass every condition to top with
 * their weight in acc. */
void count_and_rank(const std::vector<uint64_t> &bits, CountSpy &spy, const std::vector<double> &acc, top_hits &top)
{
    for (size_t w = 0; w < bits.size(); w++) {
        for (uint64_t x = bits[w]; x; x &= x - 1) {
            Xapian::docid d = (Xapian::docid)(w * 64 + (size_t)__builtin_ctzll(x));
            if (spy.add(d))
                top.offer(d, acc[d]);
        }
    }
}

/* The same from Xapian's matcher, for queries the posting-list pass cannot weigh (phrases and
 * the like): one BM25 pass over every text match counts it and offers it with its weight. */
class CountAndRankSpy : public Xapian::MatchSpy {
    CountSpy &spy;
    top_hits &top;

  public:
    CountAndRankSpy(CountSpy &count, top_hits &hits) : spy(count), top(hits) {}
    void operator()(const Xapian::Document &doc, double wt) override
    {
        Xapian::docid d = doc.get_docid();
        if (spy.add(d))
            top.offer(d, wt);
    }
};

/* The ranking's weighting scheme: BM25 with the tuned parameters (k2 0, k3 1, min_normlen 0.5). */
Xapian::BM25Weight bm25()
{
    return Xapian::BM25Weight(tuned().bm25_k1, 0, 1, tuned().bm25_b, 0.5);
}

/* Xapian's ranked match for q's page: in q's order, over st with every filter. */
std::unique_ptr<Xapian::Enquire> ranked_enquire(struct iqn_db *db, const struct iqn_query *q, const search_state &st)
{
    std::unique_ptr<Xapian::Enquire> enq(new Xapian::Enquire(*db->db));
    enq->set_weighting_scheme(bm25());
    /* Every order is total, so pages never overlap and a sharded index lists records exactly as a
     * single one does: dates are broken by id, and equal relevance by a tiny weight that grows with
     * the date (newest first) then the id hash. */
    if (q->sort == IQN_SORT_DATE_ASC)
        enq->set_sort_by_value(IQN_SLOT_SORT, false);
    else if (q->sort == IQN_SORT_DATE_DESC)
        enq->set_sort_by_value(IQN_SLOT_SORT, true);
    enq->set_query(q->sort == IQN_SORT_RELEVANCE ? with_tiebreak(db, combine(st, -1)) : combine(st, -1));
    return enq;
}

/* Run st (text query and filters) for q: the page of hits, exact total, disjunctive facet counts,
 * snippets highlighted with the terms of hl_query. */
void run_query(struct iqn_db *db, const struct iqn_query *q, search_state &st, const Xapian::Query &hl_query,
               struct iqn_result *res)
{
    Xapian::Database &xdb = *db->db;
    Xapian::doccount all = xdb.get_doccount();

    std::vector<std::pair<Xapian::docid, double>> page; /* the hits: docid, weight */
    const facet_table *table = q->facets ? table_for(db) : nullptr;
    if (table) {
        /* A single local index: the exact total and every facet count from one unranked pass
         * (CountSpy), over posting-list bitmaps when the query allows, and then the page by BM25
         * from the same posting lists; otherwise the page alone from Xapian's ranked match. */
        CountSpy spy(*table, q, st.exclude_pairs);
        top_hits top(*table, q->sort, (size_t)q->offset + q->limit);
        std::vector<uint64_t> bits;
        bool ranked = false;
        if (!st.has_date && tuned().own_ranking) {
            ranker rank(xdb, *table);
            if (rank.rank(st.text, bits)) {
                count_and_rank(bits, spy, rank.acc, top);
                ranked = true;
            }
        }
        if (!ranked && tuned().own_ranking) {
            /* One pass of the matcher for both, over the text matches without facet filters. */
            Xapian::Enquire both(xdb);
            both.set_weighting_scheme(bm25());
            both.set_query(unranked_query(st));
            CountAndRankSpy counter(spy, top);
            both.add_matchspy(&counter);
            both.get_mset(0, 0, all);
            ranked = true;
        }
        if (ranked) {
            page = top.page(q->offset);
        } else {
            Xapian::MSet mset = ranked_enquire(db, q, st)->get_mset(q->offset, q->limit);
            for (auto m = mset.begin(); m != mset.end(); ++m)
                page.emplace_back(*m, m.get_weight());
            if (!st.has_date && match_bits(xdb, st.text, table->last, bits)) {
                for (size_t w = 0; w < bits.size(); w++)
                    for (uint64_t x = bits[w]; x; x &= x - 1)
                        spy.add((Xapian::docid)(w * 64 + (size_t)__builtin_ctzll(x)));
            } else {
                Xapian::Enquire counter(xdb);
                counter.set_query(unranked_query(st));
                counter.set_weighting_scheme(Xapian::BoolWeight());
                counter.add_matchspy(&spy);
                counter.get_mset(0, 0, all);
            }
        }
        res->total = spy.total;
        for (int f = 0; f < IQN_FACET_COUNT; f++)
            spy.store(res, f);
    } else {
        Xapian::MSet mset;
        count_with_spies(db, q, st, *ranked_enquire(db, q, st), mset, res);
        for (auto m = mset.begin(); m != mset.end(); ++m)
            page.emplace_back(*m, m.get_weight());
    }

    std::unique_ptr<struct iqn_highlight, void (*)(struct iqn_highlight *)> hl(nullptr, iqn_highlight_free);
    if (q->snippets) {
        hl.reset(iqn_highlight_new(q->lang ? q->lang : "en"));
        if (!hl)
            throw std::bad_alloc();
        collect_highlight(hl_query, hl.get());
    }
    res->hits = static_cast<struct iqn_hit *>(std::calloc(page.size() + 1, sizeof(struct iqn_hit)));
    if (!res->hits)
        throw std::bad_alloc();
    for (const auto &m : page) {
        struct iqn_hit *hit = &res->hits[res->nhits];
        hit->record = decode_document(xdb.get_document(m.first));
        res->nhits++;
        hit->score = m.second;
        if (hl)
            make_snippet(hl.get(), hit->record, hit);
        if (q->no_body)
            iqn_record_set(hit->record, IQN_F_BODY, nullptr, nullptr);
    }
}

/* Accept free-text terms for more-like-this: words and stems, not field or filter terms. */
class TextTermsOnly : public Xapian::ExpandDecider {
  public:
    bool operator()(const std::string &term) const override
    {
        if (term.empty())
            return false;
        size_t i = term[0] == 'Z' ? 1 : 0;
        if (i == 0 && (*stopper_for(nullptr))(term))
            return false; /* a stop word's term (StopWordTerms) */
        return i < term.size() && !(term[i] >= 'A' && term[i] <= 'Z') && term.size() - i >= 3;
    }
};

/* A word the index knows (folded, lower case): as typed, by its English or French stem, or as
 * a stop word. */
bool word_known(Xapian::Database &xdb, const std::string &w)
{
    Xapian::Stem en = stemmer_for("en"), fr = stemmer_for("fr"); /* stemmers keep state: one per call */
    return xdb.term_exists(w) || xdb.term_exists("Z" + en(w)) || xdb.term_exists("Z" + fr(w)) ||
           (*stopper_for(nullptr))(w);
}

/* did_you_mean, word by word: each word the index knows stays as the user typed it (accents and
 * all); each unknown one is replaced by the spelling correction. Empty when nothing changes. */
std::string suggestion(Xapian::Database &xdb, const char *text, const std::string &corrected)
{
    struct span {
        size_t start, len;
    };
    auto words = [](const std::string &t) {
        std::vector<span> out;
        size_t pos = 0, start, len;
        while (iqn_text_next_word(t.data(), t.size(), &pos, &start, &len))
            out.push_back({start, len});
        return out;
    };
    std::string typed(text), folded = fold(text, std::strlen(text), 1), fixed = fold(corrected.data(), corrected.size(), 1);
    std::vector<span> tw = words(typed), fw = words(folded), cw = words(fixed);
    if (tw.size() != fw.size() || fw.size() != cw.size())
        return std::string(); /* the correction does not line up word for word: offer nothing */
    std::string out;
    size_t last = 0;
    bool changed = false;
    for (size_t i = 0; i < tw.size(); i++) {
        std::string f = folded.substr(fw[i].start, fw[i].len), c = fixed.substr(cw[i].start, cw[i].len);
        bool field = fw[i].start + fw[i].len < folded.size() && folded[fw[i].start + fw[i].len] == ':';
        out += typed.substr(last, tw[i].start - last);
        if (f != c && !field && !word_known(xdb, f)) {
            out += c;
            changed = true;
        } else {
            out += typed.substr(tw[i].start, tw[i].len);
        }
        last = tw[i].start + tw[i].len;
    }
    out += typed.substr(last);
    return changed ? out : std::string();
}

/* Whether query text holds a quoted phrase or a NEAR or ADJ operator. */
bool asks_words_together(const char *text)
{
    if (std::strchr(text, '"'))
        return true;
    size_t len = std::strlen(text), pos = 0, start, wlen;
    while (iqn_text_next_word(text, len, &pos, &start, &wlen))
        if ((wlen == 4 && std::strncmp(text + start, "NEAR", 4) == 0) || (wlen == 3 && std::strncmp(text + start, "ADJ", 3) == 0))
            return true;
    return false;
}

/* Pseudo-relevance feedback for longer, natural-language queries: the best terms of the top
 * documents are added to the query at a lower weight (Xapian's ESet). */
void expand_query(struct iqn_db *db, const char *text, search_state &st)
{
    Xapian::Database &xdb = *db->db;
    const tuning &t = tuned();
    /* A quoted phrase or a NEAR asks for words together: expansion would add records without
     * them (a hyphenated word, which the parser also makes a phrase, does not). */
    if (t.prf_docs <= 0 || t.prf_terms <= 0 || blank(text) || asks_words_together(text))
        return;
    std::string folded = fold(text, std::strlen(text), 1);
    const Xapian::Stopper *stop = stopper_for(nullptr);
    size_t pos = 0, start, len, words = 0;
    while (iqn_text_next_word(folded.data(), folded.size(), &pos, &start, &len)) /* title: is no word */
        words += !field_name(folded, start, len) && !(*stop)(folded.substr(start, len));
    if (words < (size_t)t.prf_min_terms)
        return;
    Xapian::Enquire e(xdb);
    e.set_query(with_tiebreak(db, combine(st, -1))); /* the same top documents however sharded */
    e.set_weighting_scheme(bm25());
    Xapian::MSet top = e.get_mset(0, (Xapian::doccount)t.prf_docs);
    if (top.empty())
        return;
    /* Score the terms of the top documents ourselves, with collection statistics of the whole
     * index (Xapian's ESet uses per-shard ones), so that a sharded index expands alike. The
     * weight is the classic probabilistic one (relevant-set odds ratio times a BM25-like wdf part). */
    TextTermsOnly decider;
    struct cand {
        unsigned r = 0;
        double tf_part = 0;
    };
    std::map<std::string, cand> cands;
    double avlen = xdb.get_avlength();
    for (auto m = top.begin(); m != top.end(); ++m) {
        double len = (double)xdb.get_doclength(*m) / (avlen > 0 ? avlen : 1);
        for (auto ti = xdb.termlist_begin(*m); ti != xdb.termlist_end(*m); ++ti) {
            std::string term = *ti;
            if (!decider(term))
                continue;
            double wdf = ti.get_wdf();
            cand &c = cands[term];
            c.r++;
            c.tf_part += 2.0 * wdf / (len + wdf);
        }
    }
    double N = (double)xdb.get_doccount(), R = (double)top.size();
    std::vector<std::pair<double, std::string>> scored;
    for (const auto &kv : cands) {
        if (R > 1 && kv.second.r < (unsigned)tuned().prf_min_docs)
            continue; /* a term of one document only says little about the query */
        double n = (double)xdb.get_termfreq(kv.first), r = kv.second.r;
        double odds = ((r + 0.5) * (N - n - R + r + 0.5)) / ((R - r + 0.5) * (n - r + 0.5));
        if (odds <= 1)
            continue;
        scored.emplace_back(std::log(odds) * kv.second.tf_part, kv.first);
    }
    std::sort(scored.begin(), scored.end(), [](const std::pair<double, std::string> &a, const std::pair<double, std::string> &b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<Xapian::Query> terms;
    for (size_t i = 0; i < scored.size() && i < (size_t)t.prf_terms; i++)
        terms.emplace_back(scored[i].second);
    if (terms.empty())
        return;
    Xapian::Query added(Xapian::Query::OP_OR, terms.begin(), terms.end());
    st.text = Xapian::Query(Xapian::Query::OP_OR, st.text,
                            Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, added, t.prf_weight));
}

int run_search(struct iqn_db *db, const struct iqn_query *q, struct iqn_result *res)
{
    search_state st;
    st.text = parse_text(*db->db, q, &st.corrected, db->stop_terms);
    add_filters(q, st);
    exclude_other_language(*db->db, q, st);
    Xapian::Query typed = st.text;
    expand_query(db, q->text, st);
    run_query(db, q, st, typed, res);
    if (q->spelling && !st.corrected.empty()) {
        std::string better = suggestion(*db->db, q->text, st.corrected);
        if (!better.empty())
            res->did_you_mean = dup_cstr(better);
    }
    return IQN_OK;
}

int run_similar(struct iqn_db *db, const char *id, const struct iqn_query *q, struct iqn_result *res)
{
    Xapian::Database &xdb = *db->db;
    std::string idterm = std::string(IQN_PREFIX_ID) + id;
    Xapian::PostingIterator p = xdb.postlist_begin(idterm);
    if (p == xdb.postlist_end(idterm))
        return IQN_ENOTFOUND;
    Xapian::docid did = *p;
    Xapian::RSet rset;
    rset.add_document(did);
    Xapian::Enquire enq(xdb);
    enq.set_query(Xapian::Query(idterm));
    TextTermsOnly decider;
    Xapian::ESet eset = enq.get_eset(24, rset, &decider);
    std::vector<Xapian::Query> terms;
    for (auto t = eset.begin(); t != eset.end(); ++t)
        terms.emplace_back(Xapian::Query(*t, 1));
    search_state st;
    st.text = Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    /* Leave out the record itself and its translation. */
    std::vector<Xapian::Query> self{Xapian::Query(idterm)};
    Xapian::Document doc = xdb.get_document(did);
    struct iqn_record *r = decode_document(doc);
    const char *pair = iqn_record_get(r, IQN_F_PAIR);
    if (pair)
        self.emplace_back(std::string(IQN_PREFIX_ID) + pair);
    iqn_record_free(r);
    st.text = Xapian::Query(Xapian::Query::OP_AND_NOT, st.text,
                            Xapian::Query(Xapian::Query::OP_OR, self.begin(), self.end()));
    add_filters(q, st);
    exclude_other_language(xdb, q, st);
    run_query(db, q, st, Xapian::Query(), res);
    return IQN_OK;
}

} // namespace

/* Run fn into a new result, reopening and retrying when the index moves underneath. */
extern "C++" template <typename Fn> int with_retry(struct iqn_db *db, struct iqn_result **out, struct iqn_error *err, Fn fn)
{
    *out = nullptr;
    for (int attempt = 0;; attempt++) {
        struct iqn_result *res = static_cast<struct iqn_result *>(std::calloc(1, sizeof *res));
        if (!res)
            return iqn_error_set(err, IQN_ENOMEM, "out of memory");
        try {
            int rc = fn(res);
            if (rc != IQN_OK) {
                iqn_result_free(res);
                return rc;
            }
            *out = res;
            return IQN_OK;
        } catch (const Xapian::DatabaseModifiedError &) {
            iqn_result_free(res);
            if (attempt >= 2)
                return iqn_error_set(err, IQN_EINTERNAL, "index kept changing during the search");
            try {
                reopen_index(db);
            } catch (...) {
                return translate(err, "search");
            }
        } catch (const Xapian::NetworkError &e) {
            /* A remote shard went away: reconnect once (it may be back); otherwise say so, never
             * answer from the shards that are left. */
            iqn_result_free(res);
            if (attempt >= 1 || !db->shards.empty())
                return iqn_error_set(err, IQN_EIO, "a remote shard is unavailable: %s", e.get_msg().c_str());
            try {
                std::string stub = stub_of(db->path.c_str());
                db->db.reset(new Xapian::Database(stub.empty() ? db->path : stub));
                read_analysis(db);
            } catch (...) {
                return translate(err, "search");
            }
        } catch (...) {
            iqn_result_free(res);
            return translate(err, "search");
        }
    }
}

int iqn_search(struct iqn_db *db, const struct iqn_query *q, struct iqn_result **out, struct iqn_error *err)
{
    if (q->text && !iqn_utf8_valid(q->text, std::strlen(q->text)))
        return iqn_error_set(err, IQN_EINVAL, "query is not valid UTF-8");
    return with_retry(db, out, err, [&](struct iqn_result *res) { return run_search(db, q, res); });
}

int iqn_similar(struct iqn_db *db, const char *id, const struct iqn_query *q, struct iqn_result **out,
                struct iqn_error *err)
{
    int rc = with_retry(db, out, err, [&](struct iqn_result *res) { return run_similar(db, id, q, res); });
    if (rc == IQN_ENOTFOUND)
        return iqn_error_set(err, IQN_ENOTFOUND, "no record with id '%s'", id);
    return rc;
}

void iqn_result_free(struct iqn_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhits; i++) {
        iqn_record_free(r->hits[i].record);
        std::free(r->hits[i].snippet);
    }
    std::free(r->hits);
    for (int f = 0; f < IQN_FACET_COUNT; f++) {
        for (size_t i = 0; i < r->nfacet[f]; i++)
            std::free(r->facet[f][i].code);
        std::free(r->facet[f]);
    }
    std::free(r->did_you_mean);
    std::free(r);
}

struct iqn_stemmer *iqn_stemmer_new(const char *lang)
{
    try {
        return new iqn_stemmer{stemmer_for(lang)};
    } catch (...) {
        return nullptr;
    }
}

void iqn_stemmer_free(struct iqn_stemmer *s)
{
    delete s;
}

int iqn_stem(struct iqn_stemmer *s, const char *word, size_t len, struct iqn_buf *out)
{
    try {
        std::string st = s->stem(std::string(word, len));
        return iqn_buf_add(out, st.data(), st.size());
    } catch (...) {
        return -1;
    }
}

int iqn_analysis_check(const char *text, size_t len, const char *lang, const char *prefix, int positions,
                       struct iqn_error *err)
{
    try {
        std::string diff = compare_with_xapian(std::string(text, len), lang, prefix ? prefix : "", positions != 0);
        if (!diff.empty())
            return iqn_error_set(err, IQN_EINTERNAL, "%s", diff.c_str());
        return IQN_OK;
    } catch (...) {
        return translate(err, "analysis check");
    }
}

} /* extern "C" */
