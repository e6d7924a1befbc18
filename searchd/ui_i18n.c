/* ui_i18n.c - the English and French strings of the web pages, their paths, and number and
 * date formats. Nothing else in the pages holds words of either language. */
#include "ui_i18n.h"

#include <stdio.h>
#include <string.h>

#include "record.h"
#include "vocab.h"

#define NBSP "\u00a0"

/* { English, French } for every message; a unit test checks that none is missing. */
static const char *const messages[IQN_T_COUNT][2] = {
    [IQN_T_SITE_NAME] = {"IQN Search", "Recherche RQI"},
    [IQN_T_NETWORK] = {"International Qualifications Network", "Réseau des qualifications internationales"},
    [IQN_T_SKIP_MAIN] = {"Skip to main content", "Passer au contenu principal"},
    [IQN_T_SKIP_RESULTS] = {"Skip to results", "Passer aux résultats"},
    [IQN_T_LANG_NAV] = {"Language selection", "Sélection de la langue"},
    [IQN_T_OTHER_LANG_NAME] = {"Français", "English"},
    [IQN_T_HOME] = {"Home", "Accueil"},
    [IQN_T_BREADCRUMB] = {"You are here", "Vous êtes ici"},
    [IQN_T_SEARCH_HEADING] = {"Search the IQN knowledge base", "Rechercher dans la base de connaissances du RQI"},
    [IQN_T_SEARCH_LABEL] = {"Search initiatives, reports and lessons learned",
                            "Rechercher des initiatives, des rapports et des leçons apprises"},
    [IQN_T_SEARCH_BUTTON] = {"Search", "Rechercher"},
    [IQN_T_SEARCH_CRUMB] = {"Search", "Recherche"},
    [IQN_T_FILTERS] = {"Filters", "Filtres"},
    [IQN_T_FILTERS_APPLY] = {"Apply filters", "Appliquer les filtres"},
    [IQN_T_SHOW_FILTERS] = {"Show filters", "Afficher les filtres"},
    [IQN_T_FACET_TYPE] = {"Type", "Type"},
    [IQN_T_FACET_DATE] = {"Date", "Date"},
    [IQN_T_FACET_PROVINCE] = {"Province or territory", "Province ou territoire"},
    [IQN_T_FACET_PROFESSION] = {"Profession", "Profession"},
    [IQN_T_FACET_TOPIC] = {"Topic", "Sujet"},
    [IQN_T_FACET_LANG] = {"Language", "Langue"},
    [IQN_T_DATE_FROM] = {"From year", "De l’année"},
    [IQN_T_DATE_TO] = {"To year", "À l’année"},
    [IQN_T_DATE_ANY] = {"Any year", "Toutes les années"},
    [IQN_T_CHIP_FROM] = {"From ", "À partir de "},
    [IQN_T_CHIP_TO] = {"Until ", "Jusqu’à "},
    [IQN_T_PROFESSION_SEARCH] = {"Search within professions", "Rechercher parmi les professions"},
    [IQN_T_PROFESSION_NONE] = {"No profession matches.", "Aucune profession ne correspond."},
    [IQN_T_SELECTED_FILTERS] = {"Selected filters", "Filtres sélectionnés"},
    [IQN_T_REMOVE_FILTER] = {"Remove filter", "Retirer le filtre"},
    [IQN_T_CLEAR_ALL] = {"Clear all filters", "Effacer tous les filtres"},
    [IQN_T_RESULTS] = {"Search results", "Résultats de la recherche"},
    [IQN_T_ABOUT] = {"About ", "Environ "},
    [IQN_T_RESULT_ONE] = {" result", NBSP "résultat"},
    [IQN_T_RESULT_MANY] = {" results", NBSP "résultats"},
    [IQN_T_NO_RESULTS] = {"No results", "Aucun résultat"},
    [IQN_T_FOR_OPEN] = {" for “", " pour «" NBSP},
    [IQN_T_FOR_CLOSE] = {"”", NBSP "»"},
    [IQN_T_DID_YOU_MEAN] = {"Did you mean ", "Vouliez-vous dire "},
    [IQN_T_QUESTION_END] = {"?", NBSP "?"},
    [IQN_T_COLON] = {": ", NBSP ": "},
    [IQN_T_TIPS] = {"Search tips", "Conseils de recherche"},
    [IQN_T_TIP_SPELLING] = {"Check the spelling of your search terms.", "Vérifiez l’orthographe des termes de recherche."},
    [IQN_T_TIP_WORDS] = {"Try fewer words, or more general ones.", "Essayez moins de mots, ou des mots plus généraux."},
    [IQN_T_TIP_FILTERS] = {"Search without filters: ", "Cherchez sans filtres" NBSP ": "},
    [IQN_T_TIP_FILTERS_LINK] = {"clear all filters", "effacer tous les filtres"},
    [IQN_T_TIP_OTHER_LANG] = {"Records are in English and French: ", "Les dossiers sont en français et en anglais" NBSP ": "},
    [IQN_T_TIP_OTHER_LANG_LINK] = {"try this search in French", "essayez cette recherche en anglais"},
    [IQN_T_PAGE_EMPTY] = {"This page is past the last result.", "Cette page est au-delà du dernier résultat."},
    [IQN_T_SORT_LABEL] = {"Sort by", "Trier par"},
    [IQN_T_SORT_RELEVANCE] = {"Relevance", "Pertinence"},
    [IQN_T_SORT_NEWEST] = {"Date (newest first)", "Date (plus récents d’abord)"},
    [IQN_T_SORT_OLDEST] = {"Date (oldest first)", "Date (plus anciens d’abord)"},
    [IQN_T_SORT_BUTTON] = {"Sort", "Trier"},
    [IQN_T_PAGINATION] = {"Search results pages", "Pages des résultats"},
    [IQN_T_PREVIOUS] = {"Previous", "Précédente"},
    [IQN_T_NEXT] = {"Next", "Suivante"},
    [IQN_T_PAGE] = {"Page ", "Page "},
    [IQN_T_FEED_LINK] = {"Atom feed of the newest records for this search", "Fil Atom des dossiers les plus récents pour cette recherche"},
    [IQN_T_FEED_TITLE] = {"IQN Search: newest records for “", "Recherche RQI" NBSP ": dossiers les plus récents pour «" NBSP},
    [IQN_T_FEED_ALL] = {"IQN Search: newest records", "Recherche RQI" NBSP ": dossiers les plus récents"},
    [IQN_T_LOADING] = {"Loading results…", "Chargement des résultats…"},
    [IQN_T_LOAD_ERROR] = {"The results could not be loaded. Reload the page to try again.",
                          "Les résultats n’ont pas pu être chargés. Rechargez la page pour réessayer."},
    [IQN_T_SUGGESTIONS] = {"Suggestions", "Suggestions"},
    [IQN_T_SUGGESTIONS_COUNT] = {" suggestions. Use the up and down arrows to choose one.",
                                 NBSP "suggestions. Utilisez les flèches haut et bas pour en choisir une."},
    [IQN_T_KIND_TITLE] = {"Record", "Dossier"},
    [IQN_T_RECORD_DETAILS] = {"Details", "Détails"},
    [IQN_T_PAIR_EN] = {"English version of this record", "Version anglaise de ce dossier"},
    [IQN_T_PAIR_FR] = {"French version of this record", "Version française de ce dossier"},
    [IQN_T_SIMILAR] = {"Similar records", "Dossiers semblables"},
    [IQN_T_SIMILAR_NONE] = {"No similar records were found.", "Aucun dossier semblable n’a été trouvé."},
    [IQN_T_NOT_FOUND] = {"Record not found", "Dossier introuvable"},
    [IQN_T_NOT_FOUND_TEXT] = {"No record has this identifier: ", "Aucun dossier ne porte cet identifiant" NBSP ": "},
    [IQN_T_BAD_REQUEST] = {"This search cannot be run", "Cette recherche ne peut pas être effectuée"},
    [IQN_T_BAD_REQUEST_TEXT] = {"The address of this page has a value the search does not accept:",
                                "L’adresse de cette page contient une valeur que la recherche n’accepte pas" NBSP ":"},
    [IQN_T_UNAVAILABLE] = {"Search is unavailable", "La recherche n’est pas disponible"},
    [IQN_T_UNAVAILABLE_TEXT] = {"The search service cannot read its index right now. Please try again in a few minutes.",
                                "Le service de recherche ne peut pas lire son index pour le moment. Veuillez réessayer dans "
                                "quelques minutes."},
    [IQN_T_ERROR] = {"Something went wrong", "Une erreur s’est produite"},
    [IQN_T_ERROR_TEXT] = {"The search service could not answer. Please try again.",
                          "Le service de recherche n’a pas pu répondre. Veuillez réessayer."},
    [IQN_T_NEW_SEARCH] = {"Start a new search", "Commencer une nouvelle recherche"},
    [IQN_T_FOOTER] = {"Knowledge base of the International Qualifications Network: initiatives, reports and lessons "
                      "learned on recognising the qualifications of internationally trained professionals.",
                      "Base de connaissances du Réseau des qualifications internationales" NBSP ": initiatives, rapports et "
                      "leçons apprises sur la reconnaissance des qualifications des professionnels formés à l’étranger."},
    [IQN_T_OPENSEARCH_DESC] = {"Search the knowledge base of the International Qualifications Network",
                               "Rechercher dans la base de connaissances du Réseau des qualifications internationales"},
    [IQN_T_EXAMPLE_QUERY] = {"nurses", "infirmières"},
};

static const char *const fields[IQN_F_COUNT][2] = {
    [IQN_F_ID] = {"Identifier", "Identifiant"},
    [IQN_F_TYPE] = {"Type", "Type"},
    [IQN_F_LANG] = {"Language", "Langue"},
    [IQN_F_PAIR] = {"Other language version", "Version dans l’autre langue"},
    [IQN_F_TITLE] = {"Title", "Titre"},
    [IQN_F_SUMMARY] = {"Summary", "Résumé"},
    [IQN_F_BODY] = {"Full text", "Texte intégral"},
    [IQN_F_PROVINCE] = {"Provinces and territories", "Provinces et territoires"},
    [IQN_F_PROFESSION] = {"Professions", "Professions"},
    [IQN_F_TOPIC] = {"Topics", "Sujets"},
    [IQN_F_ORGANIZATION] = {"Organization", "Organisation"},
    [IQN_F_AUTHOR] = {"Author", "Auteur"},
    [IQN_F_DATE] = {"Date", "Date"},
    [IQN_F_URL] = {"Web address", "Adresse Web"},
    [IQN_F_SOURCE] = {"Source", "Source"},
    [IQN_F_STATUS] = {"Status", "État"},
    [IQN_F_CONTACT] = {"Contact", "Personne-ressource"},
    [IQN_F_RESULTS] = {"Results", "Résultats"},
    [IQN_F_LESSONS] = {"Lessons learned", "Leçons apprises"},
};

static const enum iqn_ui_msg facet_msgs[IQN_FACET_COUNT] = {
    [IQN_FACET_PROVINCE] = IQN_T_FACET_PROVINCE, [IQN_FACET_PROFESSION] = IQN_T_FACET_PROFESSION,
    [IQN_FACET_TOPIC] = IQN_T_FACET_TOPIC,       [IQN_FACET_TYPE] = IQN_T_FACET_TYPE,
    [IQN_FACET_LANG] = IQN_T_FACET_LANG,
};

static const char *const paths[IQN_ROUTE_COUNT][2] = {
    [IQN_ROUTE_SEARCH] = {"/en/search", "/fr/recherche"},
    [IQN_ROUTE_RECORD] = {"/en/records/", "/fr/dossiers/"},
    [IQN_ROUTE_FEED] = {"/en/feed", "/fr/fil"},
};

static const char *const months[12][2] = {
    {"January", "janvier"}, {"February", "février"}, {"March", "mars"},     {"April", "avril"},
    {"May", "mai"},         {"June", "juin"},         {"July", "juillet"},   {"August", "août"},
    {"September", "septembre"}, {"October", "octobre"}, {"November", "novembre"}, {"December", "décembre"},
};

static int lang_index(int lang)
{
    return lang == IQN_LANG_FR ? 1 : 0;
}

/* A message in lang. */
const char *iqn_ui_t(int lang, enum iqn_ui_msg id)
{
    if ((int)id < 0 || id >= IQN_T_COUNT || !messages[id][lang_index(lang)])
        return "";
    return messages[id][lang_index(lang)];
}

/* A field label in lang. */
const char *iqn_ui_field(int lang, enum iqn_field f)
{
    if ((int)f < 0 || f >= IQN_F_COUNT || !fields[f][lang_index(lang)])
        return "";
    return fields[f][lang_index(lang)];
}

/* A facet's group heading in lang. */
const char *iqn_ui_facet(int lang, enum iqn_facet f)
{
    if ((int)f < 0 || f >= IQN_FACET_COUNT)
        return "";
    return iqn_ui_t(lang, facet_msgs[f]);
}

/* A route's path in lang. */
const char *iqn_ui_path(int lang, enum iqn_ui_route r)
{
    if ((int)r < 0 || r >= IQN_ROUTE_COUNT)
        return "/";
    return paths[r][lang_index(lang)];
}

/* The language code. */
const char *iqn_ui_code(int lang)
{
    return lang_index(lang) ? "fr" : "en";
}

/* Digits in groups of three: ',' in English, a no-break space in French. */
void iqn_ui_number(int lang, unsigned long long n, char *out, size_t outlen)
{
    char digits[32];
    const char *sep = lang_index(lang) ? NBSP : ",";
    size_t seplen = strlen(sep), o = 0;
    int len = snprintf(digits, sizeof digits, "%llu", n);
    if (outlen == 0)
        return;
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) {
            if (o + seplen >= outlen)
                break;
            memcpy(out + o, sep, seplen);
            o += seplen;
        }
        if (o + 1 >= outlen)
            break;
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* A date written out in lang; -1 (text copied as is) when it is not an ISO date. The date is
 * checked by iqn_date_key (month 1-12, a day that exists in that month). */
int iqn_ui_date(int lang, const char *iso, char *out, size_t outlen)
{
    int l = lang_index(lang), year = 0, month = 0, day = 0;
    char date[11], key[9];
    size_t len = iso ? strcspn(iso, "T ") : 0; /* a time after the date is left out */
    if (len != 4 && len != 7 && len != 10) {
        snprintf(out, outlen, "%s", iso ? iso : "");
        return -1;
    }
    memcpy(date, iso, len);
    date[len] = '\0';
    if (iqn_date_key(date, 0, key) != 0 || sscanf(key, "%4d%2d%2d", &year, &month, &day) != 3) {
        snprintf(out, outlen, "%s", iso);
        return -1;
    }
    if (month == 0)
        snprintf(out, outlen, "%04d", year);
    else if (day == 0)
        snprintf(out, outlen, "%s %04d", months[month - 1][l], year);
    else if (l)
        snprintf(out, outlen, "%d%s %s %04d", day, day == 1 ? "er" : "", months[month - 1][1], year);
    else
        snprintf(out, outlen, "%s %d, %04d", months[month - 1][0], day, year);
    return 0;
}
