/* gen_record.c - generates one synthetic IQN record from the model and a per-record PRNG. */
#include "gen_record.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { T_INITIATIVE, T_REPORT, T_LESSON, T_EVENT, T_PAGE };
static const char *const type_code[] = {"initiative", "report", "lesson", "event", "page"};
static const char *const lang_code[] = {"en", "fr"};
static const char *const status_code[] = {"planned", "active", "completed"};

/* A vocabulary label the text may quote. */
struct phrase {
    const char *s;
    size_t len;
    int words;
};

/* The non-text choices of one record. */
struct draft {
    int type;
    int lang;
    int status; /* -1 unless initiative */
    size_t prov[3];
    size_t nprov;
    size_t prof[3];
    size_t nprof;
    size_t topic[3];
    size_t ntopic;
    int year, month, day;
    size_t org;
    struct phrase labels[9];
    size_t nlabels;
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(long y, long m, long d)
{
    long era;
    long yoe;
    long doy;
    long doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    long era;
    long doe;
    long yoe;
    long doy;
    long mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Upper-case the first letter at s (ASCII, or Latin-1 letters encoded C3 A0..C3 BE). */
static void capitalize(char *s, size_t len)
{
    unsigned char c;

    if (len == 0)
        return;
    c = (unsigned char)s[0];
    if (c >= 'a' && c <= 'z') {
        s[0] = (char)(c - 32);
    } else if (c == 0xc3 && len > 1) {
        unsigned char d = (unsigned char)s[1];

        if (d >= 0xa0 && d <= 0xbe && d != 0xb7)
            s[1] = (char)(d - 0x20);
    }
}

/* Draw up to `want` distinct values from an alias table (a few retries, then fewer values). */
static size_t draw_distinct(const struct iqn_gen_alias *a, struct iqn_gen_rng *r, size_t want, size_t *outv)
{
    size_t n = 0;
    int tries = 0;

    while (n < want && tries < 24) {
        size_t v = iqn_gen_alias_draw(a, r);
        size_t k;

        tries++;
        for (k = 0; k < n && outv[k] != v; k++)
            ;
        if (k == n)
            outv[n++] = v;
    }
    return n;
}

static void sort_small(size_t *v, size_t n)
{
    size_t i;

    for (i = 1; i < n; i++) {
        size_t x = v[i];
        size_t j = i;

        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void add_label(struct draft *d, const struct iqn_gen_term *t)
{
    struct phrase *p = &d->labels[d->nlabels++];

    p->s = t->label[d->lang];
    p->len = t->label_len[d->lang];
    p->words = t->label_words[d->lang];
}

/* Type, language, facets, date, organization and status, in a fixed order of draws. */
static void make_draft(const struct iqn_gen_model *m, struct iqn_gen_rng *r, struct draft *d)
{
    uint32_t u;
    size_t i;
    size_t want;
    long first_day = days_from_civil(2005, 1, 1);
    long ndays = days_from_civil(2026, 12, 31) - first_day + 1;

    u = iqn_gen_rng_below(r, 100);
    d->type = u < 40 ? T_INITIATIVE : u < 75 ? T_REPORT : u < 95 ? T_LESSON : u < 98 ? T_EVENT : T_PAGE;
    d->lang = iqn_gen_rng_below(r, 10) < 7 ? 0 : 1;

    if (iqn_gen_rng_below(r, 10) == 0) {
        d->prov[0] = m->ca;
        d->nprov = 1;
    } else {
        u = iqn_gen_rng_below(r, 100);
        want = u < 60 ? 1 : u < 88 ? 2 : 3;
        d->nprov = draw_distinct(&m->lang[d->lang].province_pick, r, want, d->prov);
        for (i = 0; i < d->nprov; i++)
            d->prov[i] = m->province_pick[d->prov[i]];
    }
    u = iqn_gen_rng_below(r, 100);
    want = u < 25 ? 0 : u < 65 ? 1 : u < 90 ? 2 : 3;
    d->nprof = draw_distinct(&m->profession_zipf, r, want, d->prof);
    for (i = 0; i < d->nprof; i++)
        d->prof[i] = m->profession_rank[d->prof[i]];
    u = iqn_gen_rng_below(r, 100);
    want = u < 50 ? 1 : u < 85 ? 2 : 3;
    d->ntopic = draw_distinct(&m->topic_zipf, r, want, d->topic);
    sort_small(d->prov, d->nprov);
    sort_small(d->prof, d->nprof);
    sort_small(d->topic, d->ntopic);

    civil_from_days(first_day + (long)iqn_gen_rng_below(r, (uint32_t)ndays), &d->year, &d->month, &d->day);
    d->org = iqn_gen_alias_draw(&m->organization_zipf, r);
    d->status = -1;
    if (d->type == T_INITIATIVE) {
        u = iqn_gen_rng_below(r, 100);
        d->status = u < 20 ? 0 : u < 65 ? 1 : 2;
    }

    d->nlabels = 0;
    for (i = 0; i < d->ntopic; i++)
        add_label(d, &m->topic.terms[d->topic[i]]);
    for (i = 0; i < d->nprof; i++)
        add_label(d, &m->profession.terms[d->prof[i]]);
    for (i = 0; i < d->nprov; i++)
        add_label(d, &m->province.terms[d->prov[i]]);
}

/* One sentence of exactly `nwords` whitespace-separated words, escaped for fmt: Zipf words,
 * now and then one of the record's own labels, commas, a capital and a full stop. */
static void sentence(struct iqn_gen_buf *b, enum iqn_gen_format fmt, const struct iqn_gen_lang_model *lm,
                     const struct draft *d, struct iqn_gen_rng *r, uint32_t nwords)
{
    size_t start = b->len;
    uint32_t left = nwords;

    while (left > 0) {
        int sp = left != nwords; /* 1 when a space goes before this word */

        if (d->nlabels > 0 && iqn_gen_rng_below(r, 40) == 0) {
            const struct phrase *p = &d->labels[iqn_gen_rng_below(r, (uint32_t)d->nlabels)];

            if (p->words > 0 && (uint32_t)p->words <= left) {
                if (sp)
                    iqn_gen_buf_addc(b, ' ');
                iqn_gen_buf_escape(b, fmt, p->s, p->len);
                left -= (uint32_t)p->words;
                continue;
            }
        }
        {
            const struct iqn_gen_word *w = &lm->words[iqn_gen_alias_draw(&lm->words_zipf, r)];

            iqn_gen_buf_add_padded(b, w->text[fmt] - sp, w->len[fmt] + (size_t)sp);
        }
        left--;
        if (left > 1 && iqn_gen_rng_below(r, 14) == 0)
            iqn_gen_buf_addc(b, ',');
    }
    iqn_gen_buf_addc(b, '.');
    if (!b->failed)
        capitalize(b->data + start, b->len - start);
}

/* Text of exactly `total` words in sentences of 8-24 words; paragraphs of 3-6 sentences
 * separated by a blank line when `paragraphs` is set. */
static void text(struct iqn_gen_buf *b, enum iqn_gen_format fmt, const struct iqn_gen_lang_model *lm,
                 const struct draft *d, struct iqn_gen_rng *r, uint32_t total, int paragraphs)
{
    uint32_t left = total;
    int in_para = 0;

    while (left > 0) {
        uint32_t n = iqn_gen_rng_range(r, 8, 24);

        if (n > left || left - n < 5)
            n = left;
        sentence(b, fmt, lm, d, r, n);
        left -= n;
        if (left == 0)
            break;
        in_para++;
        if (paragraphs && (in_para >= 6 || (in_para >= 3 && iqn_gen_rng_below(r, 3) == 0))) {
            if (fmt == IQN_GEN_XML)
                iqn_gen_buf_add(b, "\n\n", 2);
            else
                iqn_gen_buf_add(b, "\\n\\n", 4);
            in_para = 0;
        } else {
            iqn_gen_buf_addc(b, ' ');
        }
    }
}

/* A title of 4-10 words: content words with the odd connector, sometimes ending in one of
 * the record's labels ("Mentorship pathway employers: Licensed practical nurses"). */
static void title(struct iqn_gen_buf *b, enum iqn_gen_format fmt, const struct iqn_gen_lang_model *lm,
                  const struct draft *d, struct iqn_gen_rng *r)
{
    size_t start = b->len;
    uint32_t total = iqn_gen_rng_range(r, 4, 10);
    uint32_t k = total;
    const struct phrase *p = NULL;
    uint32_t i;
    int prev_connector = 1;
    size_t prev_word = SIZE_MAX;

    if (d->nlabels > 0 && iqn_gen_rng_below(r, 2) == 0) {
        p = &d->labels[iqn_gen_rng_below(r, (uint32_t)d->nlabels)];
        if (p->words > 0 && (uint32_t)p->words + 2 <= total)
            k = total - (uint32_t)p->words;
        else
            p = NULL;
    }
    for (i = 0; i < k; i++) {
        if (i > 0)
            iqn_gen_buf_addc(b, ' ');
        if (!prev_connector && i + 1 < k && iqn_gen_rng_below(r, 5) == 0) {
            const char *c = lm->connectors.items[iqn_gen_rng_below(r, (uint32_t)lm->connectors.n)];

            iqn_gen_buf_escape(b, fmt, c, strlen(c));
            prev_connector = 1;
        } else {
            size_t at = iqn_gen_alias_draw(&lm->content_zipf, r);

            if (at == prev_word) /* one redraw: "Credential credential ..." reads badly */
                at = iqn_gen_alias_draw(&lm->content_zipf, r);
            iqn_gen_buf_add_padded(b, lm->content[at].text[fmt], lm->content[at].len[fmt]);
            prev_word = at;
            prev_connector = 0;
        }
    }
    if (p != NULL) {
        iqn_gen_buf_add(b, ": ", 2);
        iqn_gen_buf_escape(b, fmt, p->s, p->len);
    }
    if (!b->failed)
        capitalize(b->data + start, b->len - start);
}

static void person(struct iqn_gen_buf *b, enum iqn_gen_format fmt, struct iqn_gen_rng *r)
{
    struct iqn_gen_list g = iqn_gen_given_names();
    struct iqn_gen_list f = iqn_gen_family_names();
    const char *given = g.items[iqn_gen_rng_below(r, (uint32_t)g.n)];
    const char *family = f.items[iqn_gen_rng_below(r, (uint32_t)f.n)];

    iqn_gen_buf_escape(b, fmt, given, strlen(given));
    iqn_gen_buf_addc(b, ' ');
    iqn_gen_buf_escape(b, fmt, family, strlen(family));
}

/* Open field `name`: "    <name>" or ,"name":" -- the value follows, escaped by the caller. */
static void open_field(struct iqn_gen_buf *o, enum iqn_gen_format fmt, const char *name)
{
    if (fmt == IQN_GEN_XML) {
        iqn_gen_buf_add(o, "    <", 5);
        iqn_gen_buf_adds(o, name);
        iqn_gen_buf_addc(o, '>');
    } else {
        iqn_gen_buf_add(o, ",\"", 2);
        iqn_gen_buf_adds(o, name);
        iqn_gen_buf_add(o, "\":\"", 3);
    }
}

static void close_field(struct iqn_gen_buf *o, enum iqn_gen_format fmt, const char *name)
{
    if (fmt == IQN_GEN_XML) {
        iqn_gen_buf_add(o, "</", 2);
        iqn_gen_buf_adds(o, name);
        iqn_gen_buf_add(o, ">\n", 2);
    } else {
        iqn_gen_buf_addc(o, '"');
    }
}

/* A whole field from a plain string. */
static void field(struct iqn_gen_buf *o, enum iqn_gen_format fmt, const char *name, const char *s, size_t len)
{
    open_field(o, fmt, name);
    iqn_gen_buf_escape(o, fmt, s, len);
    close_field(o, fmt, name);
}

static void fields(struct iqn_gen_buf *o, enum iqn_gen_format fmt, const char *name, const char *s)
{
    field(o, fmt, name, s, strlen(s));
}

/* A repeatable facet field: repeated elements in XML, an array in JSON; omitted when empty. */
static void codes(struct iqn_gen_buf *o, enum iqn_gen_format fmt, const char *name, const struct iqn_gen_vocab *v,
                  const size_t *idx, size_t n)
{
    size_t i;

    if (n == 0)
        return;
    if (fmt == IQN_GEN_XML) {
        for (i = 0; i < n; i++)
            fields(o, fmt, name, v->terms[idx[i]].code);
        return;
    }
    iqn_gen_buf_add(o, ",\"", 2);
    iqn_gen_buf_adds(o, name);
    iqn_gen_buf_add(o, "\":[", 3);
    for (i = 0; i < n; i++) {
        if (i > 0)
            iqn_gen_buf_addc(o, ',');
        iqn_gen_buf_json(o, v->terms[idx[i]].code, strlen(v->terms[idx[i]].code));
    }
    iqn_gen_buf_addc(o, ']');
}

/* Generate record i of run `seed` and append it to out. Fields are written in output
 * order straight into out; the random draws happen in that same order. */
int iqn_gen_record(const struct iqn_gen_model *m, uint64_t seed, uint64_t i, enum iqn_gen_format fmt,
                   struct iqn_gen_buf *out, struct iqn_gen_error *err)
{
    const struct iqn_gen_lang_model *lm;
    struct iqn_gen_rng r;
    struct draft d;
    char id[64];
    char url[128];
    char date[16];
    const char *org;
    int idn;
    int un;
    int dn;

    iqn_gen_rng_seed(&r, seed, i);
    make_draft(m, &r, &d);
    lm = &m->lang[d.lang];
    org = m->organizations.items[d.org];
    idn = snprintf(id, sizeof id, "gen-%llu-%llu", (unsigned long long)seed, (unsigned long long)i);
    un = snprintf(url, sizeof url, "https://example.org/gen/%s", id);
    dn = snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
    if (idn < 0 || (size_t)idn >= sizeof id || un < 0 || (size_t)un >= sizeof url || dn < 0 ||
        (size_t)dn >= sizeof date)
        return iqn_gen_error_set(err, "record %llu: id too long", (unsigned long long)i);

    if (fmt == IQN_GEN_XML) {
        iqn_gen_buf_add(out, "  <record>\n", 11);
        field(out, fmt, "id", id, (size_t)idn);
    } else {
        iqn_gen_buf_add(out, "{\"id\":", 6);
        iqn_gen_buf_json(out, id, (size_t)idn);
    }
    fields(out, fmt, "type", type_code[d.type]);
    fields(out, fmt, "lang", lang_code[d.lang]);
    open_field(out, fmt, "title");
    title(out, fmt, lm, &d, &r);
    close_field(out, fmt, "title");
    open_field(out, fmt, "summary");
    text(out, fmt, lm, &d, &r, iqn_gen_rng_range(&r, 15, 40), 0);
    close_field(out, fmt, "summary");
    open_field(out, fmt, "body");
    text(out, fmt, lm, &d, &r, iqn_gen_rng_range(&r, 80, 600), 1);
    close_field(out, fmt, "body");
    codes(out, fmt, "province", &m->province, d.prov, d.nprov);
    codes(out, fmt, "profession", &m->profession, d.prof, d.nprof);
    codes(out, fmt, "topic", &m->topic, d.topic, d.ntopic);
    fields(out, fmt, "organization", org);
    if (iqn_gen_rng_below(&r, 100) < (d.type == T_REPORT || d.type == T_LESSON ? 70u : 30u)) {
        open_field(out, fmt, "author");
        person(out, fmt, &r);
        if (iqn_gen_rng_below(&r, 5) == 0) {
            iqn_gen_buf_add(out, ", ", 2);
            person(out, fmt, &r);
        }
        close_field(out, fmt, "author");
    }
    field(out, fmt, "date", date, (size_t)dn);
    field(out, fmt, "url", url, (size_t)un);
    if (d.type == T_INITIATIVE) {
        fields(out, fmt, "status", status_code[d.status]);
        if (iqn_gen_rng_below(&r, 10) < 6) {
            const char *who = d.lang ? "Coordination du programme, " : "Program coordinator, ";

            open_field(out, fmt, "contact");
            iqn_gen_buf_adds(out, who);
            iqn_gen_buf_escape(out, fmt, org, strlen(org));
            iqn_gen_buf_adds(out, ", 555-01");
            iqn_gen_buf_addu(out, 10 + iqn_gen_rng_below(&r, 90));
            iqn_gen_buf_adds(out, ", info@example.org");
            close_field(out, fmt, "contact");
        }
        if (d.status == 2 || (d.status == 1 && iqn_gen_rng_below(&r, 10) < 3)) {
            open_field(out, fmt, "results");
            text(out, fmt, lm, &d, &r, iqn_gen_rng_range(&r, 15, 40), 0);
            close_field(out, fmt, "results");
        }
        if (d.status == 2) {
            open_field(out, fmt, "lessons");
            text(out, fmt, lm, &d, &r, iqn_gen_rng_range(&r, 15, 40), 0);
            close_field(out, fmt, "lessons");
        }
    }
    if (fmt == IQN_GEN_XML)
        iqn_gen_buf_add(out, "  </record>\n", 12);
    else
        iqn_gen_buf_add(out, "}\n", 2);
    if (out->failed)
        return iqn_gen_error_set(err, "record %llu: out of memory", (unsigned long long)i);
    return 0;
}
