/* db.cc - the only C++ in IQN Search: the Xapian shim behind the C API of db.h.
 * Every extern "C" entry point catches everything and reports it through struct iqn_error. */
#include "db.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "snippet.h"
#include "text.h"

struct iqn_db {
    std::unique_ptr<Xapian::Database> db;          /* the handle reads go through */
    Xapian::WritableDatabase *wdb = nullptr;        /* same object as db when writable */
    std::string path;
    Xapian::TermGenerator tg;
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

std::string fold(const char *s, size_t len, int lower)
{
    struct iqn_buf b;
    iqn_buf_init(&b, (size_t)IQN_BODY_MAX * 2);
    iqn_text_fold(s, len, lower, &b);
    std::string out = b.data ? std::string(b.data, b.len) : std::string();
    iqn_buf_free(&b);
    return out;
}

std::string lower_ascii(std::string s)
{
    for (auto &c : s)
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
    return s;
}

Xapian::Stem stemmer_for(const char *lang)
{
    if (lang && std::strcmp(lang, "fr") == 0)
        return Xapian::Stem("french");
    if (lang && std::strcmp(lang, "en") == 0)
        return Xapian::Stem("english");
    return Xapian::Stem();
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

/* The Xapian document for a validated record, and its content hash. */
Xapian::Document build_document(struct iqn_db *db, const struct iqn_record *r, std::string &hash)
{
    Xapian::Document doc;
    const char *lang = iqn_record_get(r, IQN_F_LANG);
    db->tg.set_stemmer(stemmer_for(lang));
    db->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    db->tg.set_document(doc);
    for (int f = 0; f < IQN_F_COUNT; f++) {
        const struct iqn_field_info *fi = &iqn_fields[f];
        if (!fi->text_weight)
            continue;
        for (size_t i = 0; i < r->f[f].n; i++) {
            std::string text = fold(r->f[f].v[i], std::strlen(r->f[f].v[i]), 0);
            if (fi->prefix) {
                db->tg.index_text(text, 1, fi->prefix);
                db->tg.increase_termpos();
            }
            db->tg.index_text(text, (Xapian::termcount)fi->text_weight);
            db->tg.increase_termpos();
        }
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
    }
    struct iqn_buf data;
    iqn_buf_init(&data, (size_t)IQN_BODY_MAX + 4 * 1024 * 1024);
    if (iqn_record_encode(r, &data) != 0) {
        iqn_buf_free(&data);
        throw std::bad_alloc();
    }
    hash = hex64(iqn_hash64(data.data, data.len, 0));
    doc.set_data(std::string(data.data, data.len));
    doc.add_value(IQN_SLOT_HASH, hash);
    iqn_buf_free(&data);
    return doc;
}

/* What upserting r would do: existing docid (0 if none) and the classification. */
enum iqn_upsert_result classify(struct iqn_db *db, const std::string &idterm, const std::string &hash,
                                Xapian::docid *existing)
{
    *existing = 0;
    Xapian::PostingIterator p = db->db->postlist_begin(idterm);
    if (p == db->db->postlist_end(idterm))
        return IQN_UPSERT_ADDED;
    *existing = *p;
    if (db->db->get_document(*p).get_value(IQN_SLOT_HASH) == hash)
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
        if (flags & IQN_DB_WRITE) {
            int action = (flags & IQN_DB_CREATE) ? Xapian::DB_CREATE_OR_OPEN : Xapian::DB_OPEN;
            auto *w = new Xapian::WritableDatabase(path, action | Xapian::DB_BACKEND_GLASS);
            db->db.reset(w);
            db->wdb = w;
            db->tg.set_database(*w);
            db->tg.set_flags(Xapian::TermGenerator::FLAG_SPELLING);
        } else {
            db->db.reset(new Xapian::Database(path));
        }
        *out = db.release();
        return IQN_OK;
    } catch (...) {
        return translate(err, path);
    }
}

void iqn_db_close(struct iqn_db *db)
{
    if (!db)
        return;
    try {
        if (db->wdb)
            db->wdb->close();
    } catch (...) {
        /* Closing can only fail on a write error; the last commit stays intact. */
    }
    delete db;
}

int iqn_db_reopen(struct iqn_db *db, int *changed, struct iqn_error *err)
{
    try {
        bool moved = db->wdb ? false : db->db->reopen();
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
    if (!db->wdb)
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    if (!id)
        return iqn_error_set(err, IQN_EINVAL, "record has no id");
    try {
        std::string hash;
        Xapian::Document doc = build_document(db, r, hash);
        std::string idterm = std::string(IQN_PREFIX_ID) + id;
        Xapian::docid existing;
        enum iqn_upsert_result res = classify(db, idterm, hash, &existing);
        if (res == IQN_UPSERT_UPDATED)
            db->wdb->replace_document(existing, doc);
        else if (res == IQN_UPSERT_ADDED)
            db->wdb->replace_document(idterm, doc);
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
        struct iqn_buf data;
        iqn_buf_init(&data, (size_t)IQN_BODY_MAX + 4 * 1024 * 1024);
        int rc = iqn_record_encode(r, &data);
        std::string hash = rc == 0 ? hex64(iqn_hash64(data.data, data.len, 0)) : std::string();
        iqn_buf_free(&data);
        if (rc != 0)
            return iqn_error_set(err, IQN_ENOMEM, "record '%s' is too large", id);
        Xapian::docid existing;
        *out = classify(db, std::string(IQN_PREFIX_ID) + id, hash, &existing);
        return IQN_OK;
    } catch (...) {
        return translate(err, id);
    }
}

int iqn_db_delete(struct iqn_db *db, const char *id, int *found, struct iqn_error *err)
{
    if (!db->wdb)
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        std::string idterm = std::string(IQN_PREFIX_ID) + id;
        bool exists = db->wdb->term_exists(idterm);
        if (exists)
            db->wdb->delete_document(idterm);
        if (found)
            *found = exists ? 1 : 0;
        return IQN_OK;
    } catch (...) {
        return translate(err, id);
    }
}

int iqn_db_commit(struct iqn_db *db, struct iqn_error *err)
{
    if (!db->wdb)
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        db->wdb->commit();
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
            std::string data = db->db->get_document(*p).get_data();
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
            db->db->reopen();
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
    if (!db->wdb)
        return iqn_error_set(err, IQN_EINVAL, "%s: index is open read-only", db->path.c_str());
    try {
        db->wdb->set_metadata(key, value ? value : "");
        return IQN_OK;
    } catch (...) {
        return translate(err, key);
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
    std::string corrected;
};

Xapian::Query combine(const search_state &st, int skip)
{
    Xapian::Query q = st.text;
    for (int f = 0; f < IQN_FACET_COUNT; f++)
        if (f != skip && st.has_filter[f])
            q = Xapian::Query(Xapian::Query::OP_FILTER, q, st.filter[f]);
    if (st.has_date)
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, st.date);
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

Xapian::Query parse_text(Xapian::Database &db, const struct iqn_query *q, std::string *corrected)
{
    if (blank(q->text))
        return Xapian::Query::MatchAll;
    std::string text = fold(q->text, std::strlen(q->text), 0);
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_stemmer(stemmer_for(q->lang ? q->lang : "en"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
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
    unsigned flags = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                     Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                     Xapian::QueryParser::FLAG_PURE_NOT;
    if (q->spelling)
        flags |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
    Xapian::Query parsed;
    try {
        parsed = qp.parse_query(text, flags);
    } catch (const Xapian::QueryParserError &) {
        /* Not valid query syntax: search the words as typed. */
        parsed = qp.parse_query(text, 0);
    }
    if (q->spelling && corrected)
        *corrected = qp.get_corrected_query_string();
    if (parsed.empty())
        return Xapian::Query::MatchNothing;
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
        size_t p = stemmed ? 1 : 0;
        while (p < term.size() && term[p] >= 'A' && term[p] <= 'Z')
            p++;
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
    std::stable_sort(out.begin(), out.end(),
                     [](const std::pair<std::string, unsigned long long> &a,
                        const std::pair<std::string, unsigned long long> &b) { return a.second > b.second; });
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

void fill_facets(struct iqn_result *res, int f, Xapian::ValueCountMatchSpy &spy)
{
    std::vector<std::pair<std::string, unsigned long long>> counts;
    count_facet(spy, counts);
    res->facet[f] = static_cast<struct iqn_facet_count *>(std::calloc(counts.size() + 1, sizeof(struct iqn_facet_count)));
    if (!res->facet[f])
        throw std::bad_alloc();
    for (const auto &c : counts) {
        res->facet[f][res->nfacet[f]].code = dup_cstr(c.first);
        res->facet[f][res->nfacet[f]].count = c.second;
        res->nfacet[f]++;
    }
}

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

int run_search(struct iqn_db *db, const struct iqn_query *q, struct iqn_result *res)
{
    Xapian::Database &xdb = *db->db;
    search_state st;
    st.text = parse_text(xdb, q, &st.corrected);
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
    Xapian::doccount all = xdb.get_doccount();

    Xapian::Enquire enq(xdb);
    enq.set_query(combine(st, -1));
    if (q->sort == IQN_SORT_DATE_ASC)
        enq.set_sort_by_value_then_relevance(IQN_SLOT_DATE, false);
    else if (q->sort == IQN_SORT_DATE_DESC)
        enq.set_sort_by_value_then_relevance(IQN_SLOT_DATE, true);
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies(IQN_FACET_COUNT);
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++) {
        if (st.has_filter[f])
            continue;
        spies[f].reset(new Xapian::ValueCountMatchSpy(iqn_facets[f].slot));
        enq.add_matchspy(spies[f].get());
    }
    Xapian::MSet mset = enq.get_mset(q->offset, q->limit, all);
    res->total = mset.get_matches_estimated();
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++)
        if (spies[f])
            fill_facets(res, f, *spies[f]);

    /* Disjunctive counts: a facet with a selection is counted with its own selection left out. */
    for (int f = 0; f < IQN_FACET_COUNT && q->facets; f++) {
        if (!st.has_filter[f])
            continue;
        Xapian::Enquire e2(xdb);
        e2.set_query(combine(st, f));
        e2.set_weighting_scheme(Xapian::BoolWeight());
        Xapian::ValueCountMatchSpy spy(iqn_facets[f].slot);
        e2.add_matchspy(&spy);
        e2.get_mset(0, 0, all);
        fill_facets(res, f, spy);
    }

    struct iqn_highlight *hl = nullptr;
    if (q->snippets) {
        hl = iqn_highlight_new(q->lang ? q->lang : "en");
        if (!hl)
            throw std::bad_alloc();
        collect_highlight(st.text, hl);
    }
    res->hits = static_cast<struct iqn_hit *>(std::calloc(mset.size() + 1, sizeof(struct iqn_hit)));
    if (!res->hits) {
        iqn_highlight_free(hl);
        throw std::bad_alloc();
    }
    for (auto m = mset.begin(); m != mset.end(); ++m) {
        std::string data = m.get_document().get_data();
        struct iqn_hit *hit = &res->hits[res->nhits];
        hit->record = iqn_record_new();
        if (!hit->record) {
            iqn_highlight_free(hl);
            throw std::bad_alloc();
        }
        res->nhits++;
        struct iqn_error derr;
        if (iqn_record_decode(data.data(), data.size(), hit->record, &derr) != IQN_OK) {
            iqn_highlight_free(hl);
            throw Xapian::DatabaseCorruptError(std::string("stored record is unreadable: ") + derr.message);
        }
        hit->score = m.get_weight();
        if (hl)
            make_snippet(hl, hit->record, hit);
    }
    iqn_highlight_free(hl);
    if (q->spelling && !st.corrected.empty() && st.corrected != fold(q->text, std::strlen(q->text), 0))
        res->did_you_mean = dup_cstr(st.corrected);
    return IQN_OK;
}

} // namespace

int iqn_search(struct iqn_db *db, const struct iqn_query *q, struct iqn_result **out, struct iqn_error *err)
{
    *out = nullptr;
    if (q->text && !iqn_utf8_valid(q->text, std::strlen(q->text)))
        return iqn_error_set(err, IQN_EINVAL, "query is not valid UTF-8");
    for (int attempt = 0;; attempt++) {
        struct iqn_result *res = static_cast<struct iqn_result *>(std::calloc(1, sizeof *res));
        if (!res)
            return iqn_error_set(err, IQN_ENOMEM, "out of memory");
        try {
            run_search(db, q, res);
            *out = res;
            return IQN_OK;
        } catch (const Xapian::DatabaseModifiedError &) {
            iqn_result_free(res);
            if (attempt >= 2)
                return iqn_error_set(err, IQN_EINTERNAL, "index kept changing during the search");
            try {
                db->db->reopen();
            } catch (...) {
                return translate(err, "search");
            }
        } catch (...) {
            iqn_result_free(res);
            return translate(err, "search");
        }
    }
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

} /* extern "C" */
