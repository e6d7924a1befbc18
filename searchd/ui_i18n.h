/* ui_i18n.h - every string of the web pages in English and French, the page paths of each
 * language, and number and date formats ("1,234" / "1 234", "March 15, 2021" / "15 mars 2021"). */
#ifndef IQN_UI_I18N_H
#define IQN_UI_I18N_H

#include <stddef.h>

#include "schema.h"

/* Message ids; iqn_ui_t(lang, id) gives the text. */
enum iqn_ui_msg {
    IQN_T_SITE_NAME,
    IQN_T_NETWORK,
    IQN_T_SKIP_MAIN,
    IQN_T_SKIP_RESULTS,
    IQN_T_LANG_NAV,
    IQN_T_OTHER_LANG_NAME, /* the name of the other language, in that language */
    IQN_T_HOME,
    IQN_T_BREADCRUMB,
    IQN_T_SEARCH_HEADING,
    IQN_T_SEARCH_LABEL,
    IQN_T_SEARCH_BUTTON,
    IQN_T_SEARCH_CRUMB,
    IQN_T_FILTERS,
    IQN_T_FILTERS_APPLY,
    IQN_T_SHOW_FILTERS,
    IQN_T_FACET_TYPE,
    IQN_T_FACET_DATE,
    IQN_T_FACET_PROVINCE,
    IQN_T_FACET_PROFESSION,
    IQN_T_FACET_TOPIC,
    IQN_T_FACET_LANG,
    IQN_T_DATE_FROM,
    IQN_T_DATE_TO,
    IQN_T_DATE_ANY,
    IQN_T_CHIP_FROM,
    IQN_T_CHIP_TO,
    IQN_T_PROFESSION_SEARCH,
    IQN_T_PROFESSION_NONE,
    IQN_T_SELECTED_FILTERS,
    IQN_T_REMOVE_FILTER,
    IQN_T_CLEAR_ALL,
    IQN_T_RESULTS,
    IQN_T_ABOUT,          /* "About " before a count above one */
    IQN_T_RESULT_ONE,     /* " result" */
    IQN_T_RESULT_MANY,    /* " results" */
    IQN_T_NO_RESULTS,     /* "No results" */
    IQN_T_FOR_OPEN,       /* " for “" */
    IQN_T_FOR_CLOSE,      /* "”" */
    IQN_T_DID_YOU_MEAN,
    IQN_T_QUESTION_END,   /* "?" or " ?" */
    IQN_T_COLON,          /* ": " or " : " */
    IQN_T_TIPS,
    IQN_T_TIP_SPELLING,
    IQN_T_TIP_WORDS,
    IQN_T_TIP_FILTERS,
    IQN_T_TIP_FILTERS_LINK,
    IQN_T_TIP_OTHER_LANG,
    IQN_T_TIP_OTHER_LANG_LINK,
    IQN_T_PAGE_EMPTY,
    IQN_T_SORT_LABEL,
    IQN_T_SORT_RELEVANCE,
    IQN_T_SORT_NEWEST,
    IQN_T_SORT_OLDEST,
    IQN_T_SORT_BUTTON,
    IQN_T_PAGINATION,
    IQN_T_PREVIOUS,
    IQN_T_NEXT,
    IQN_T_PAGE,
    IQN_T_FEED_LINK,
    IQN_T_FEED_TITLE,
    IQN_T_FEED_ALL,
    IQN_T_LOADING,
    IQN_T_LOAD_ERROR,
    IQN_T_SUGGESTIONS,
    IQN_T_SUGGESTIONS_COUNT, /* " suggestions: use the up and down arrows" (after a number) */
    IQN_T_KIND_TITLE,
    IQN_T_RECORD_DETAILS,
    IQN_T_PAIR_EN,
    IQN_T_PAIR_FR,
    IQN_T_SIMILAR,
    IQN_T_SIMILAR_NONE,
    IQN_T_NOT_FOUND,
    IQN_T_NOT_FOUND_TEXT,
    IQN_T_BAD_REQUEST,
    IQN_T_BAD_REQUEST_TEXT,
    IQN_T_UNAVAILABLE,
    IQN_T_UNAVAILABLE_TEXT,
    IQN_T_ERROR,
    IQN_T_ERROR_TEXT,
    IQN_T_NEW_SEARCH,
    IQN_T_FOOTER,
    IQN_T_OPENSEARCH_DESC,
    IQN_T_EXAMPLE_QUERY,
    IQN_T_COUNT
};

/* The text of a message in lang (enum iqn_lang); never NULL. */
const char *iqn_ui_t(int lang, enum iqn_ui_msg id);
/* The label of a record field in lang (enum iqn_field). */
const char *iqn_ui_field(int lang, enum iqn_field f);
/* The heading of a facet's filter group. */
const char *iqn_ui_facet(int lang, enum iqn_facet f);

enum iqn_ui_route {
    IQN_ROUTE_SEARCH, /* /en/search, /fr/recherche */
    IQN_ROUTE_RECORD, /* /en/records/, /fr/dossiers/ (the id follows) */
    IQN_ROUTE_FEED,   /* /en/feed, /fr/fil */
    IQN_ROUTE_COUNT
};
/* The path of a route in lang. */
const char *iqn_ui_path(int lang, enum iqn_ui_route r);
/* "en" or "fr". */
const char *iqn_ui_code(int lang);

/* n with its digits grouped: "1,234" or "1 234" (no-break space). */
void iqn_ui_number(int lang, unsigned long long n, char *out, size_t outlen);
/* An ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD, a time after it ignored) written out in lang:
 * "March 15, 2021" / "15 mars 2021", "1er mars 2021", "March 2021", "2021". Returns -1 (and copies
 * the text as it is) when it is not such a date. */
int iqn_ui_date(int lang, const char *iso, char *out, size_t outlen);

#endif
