/* app.js - search page logic: state in the URL, calls /api/v1/, renders results, filters, pagination and records. */
(function () {
  'use strict';

  // Facets in the order the filter fieldsets appear.
  var FACETS = ['type', 'province', 'profession', 'topic', 'lang'];
  var SORTS = ['relevance', '-date', 'date'];
  var PER_PAGE = 10;
  // Record fields shown in the detail list, in order (title is the heading, body is rendered as paragraphs).
  var RECORD_FIELDS = ['type', 'lang', 'date', 'organization', 'author', 'summary', 'province', 'profession',
    'topic', 'status', 'contact', 'results', 'lessons', 'url', 'source', 'pair', 'id'];
  var PARAGRAPH_FIELDS = { summary: 1, contact: 1, results: 1, lessons: 1 };
  var CODED_FIELDS = { type: 'type', lang: 'lang', province: 'province', profession: 'profession', topic: 'topic', status: 'status' };

  var I18N = {
    en: {
      locale: 'en-CA',
      doc_title: 'IQN Search',
      skip: 'Skip to main content',
      heading: 'Search the IQN knowledge base',
      search_label: 'Search terms',
      search_button: 'Search',
      other_lang: 'fr',
      other_lang_name: 'Français',
      filters: 'Filters',
      clear_filters: 'Clear all filters',
      show_filters: 'Show filters',
      hide_filters: 'Hide filters',
      facet_type: 'Type',
      facet_province: 'Province or territory',
      facet_profession: 'Profession',
      facet_topic: 'Topic',
      facet_lang: 'Language',
      facet_date: 'Date',
      filter_professions: 'Filter professions',
      no_professions: 'No profession matches.',
      from_year: 'From (year)',
      to_year: 'To (year)',
      date_hint: 'Four digits, for example 2020.',
      apply: 'Apply',
      sort_label: 'Sort by',
      sort_relevance: 'Relevance',
      sort_newest: 'Newest first',
      sort_oldest: 'Oldest first',
      results_heading: 'Search results',
      results_q: function (n, count, q) {
        return 'About ' + n + (count === 1 ? ' result' : ' results') + ' for \u201c' + q + '\u201d';
      },
      results_none_q: function (q) { return 'No results for \u201c' + q + '\u201d'; },
      results_all: function (n, count) { return n + (count === 1 ? ' record' : ' records'); },
      results_none: 'No records match these filters.',
      did_you_mean: 'Did you mean ',
      did_you_mean_end: '?',
      searching: 'Searching\u2026',
      pagination: 'Pagination',
      previous: 'Previous',
      next: 'Next',
      previous_sr: 'Previous page',
      next_sr: 'Next page',
      page_n: function (n) { return 'Page ' + n; },
      back: 'Back to results',
      loading_record: 'Loading record\u2026',
      error_api: 'The search service reported an error: ',
      error_network: 'The search service could not be reached. Please try again later.',
      error_parameter: 'Parameter: ',
      footer: 'IQN knowledge base.',
      list_sep: ', ',
      field_id: 'Identifier',
      field_type: 'Type',
      field_lang: 'Language',
      field_pair: 'Other language version',
      field_title: 'Title',
      field_summary: 'Summary',
      field_body: 'Text',
      field_province: 'Provinces and territories',
      field_profession: 'Professions',
      field_topic: 'Topics',
      field_organization: 'Organization',
      field_author: 'Author',
      field_date: 'Date',
      field_url: 'Web address',
      field_source: 'Source',
      field_status: 'Status',
      field_contact: 'Contact',
      field_results: 'Results',
      field_lessons: 'Lessons learned',
      status_planned: 'Planned',
      status_active: 'Active',
      status_completed: 'Completed'
    },
    fr: {
      locale: 'fr-CA',
      doc_title: 'Recherche RQI',
      skip: 'Passer au contenu principal',
      heading: 'Rechercher dans la base de connaissances du RQI',
      search_label: 'Termes de recherche',
      search_button: 'Rechercher',
      other_lang: 'en',
      other_lang_name: 'English',
      filters: 'Filtres',
      clear_filters: 'Effacer tous les filtres',
      show_filters: 'Afficher les filtres',
      hide_filters: 'Masquer les filtres',
      facet_type: 'Type',
      facet_province: 'Province ou territoire',
      facet_profession: 'Profession',
      facet_topic: 'Sujet',
      facet_lang: 'Langue',
      facet_date: 'Date',
      filter_professions: 'Filtrer les professions',
      no_professions: 'Aucune profession ne correspond.',
      from_year: 'De (ann\u00e9e)',
      to_year: '\u00c0 (ann\u00e9e)',
      date_hint: 'Quatre chiffres, par exemple 2020.',
      apply: 'Appliquer',
      sort_label: 'Trier par',
      sort_relevance: 'Pertinence',
      sort_newest: 'Plus r\u00e9cents d\u2019abord',
      sort_oldest: 'Plus anciens d\u2019abord',
      results_heading: 'R\u00e9sultats de la recherche',
      results_q: function (n, count, q) {
        return 'Environ ' + n + (count <= 1 ? ' r\u00e9sultat' : ' r\u00e9sultats') + ' pour \u00ab\u00a0' + q + '\u00a0\u00bb';
      },
      results_none_q: function (q) { return 'Aucun r\u00e9sultat pour \u00ab\u00a0' + q + '\u00a0\u00bb'; },
      results_all: function (n, count) { return n + (count <= 1 ? ' dossier' : ' dossiers'); },
      results_none: 'Aucun dossier ne correspond \u00e0 ces filtres.',
      did_you_mean: 'Vouliez-vous dire ',
      did_you_mean_end: '\u00a0?',
      searching: 'Recherche en cours\u2026',
      pagination: 'Pagination',
      previous: 'Pr\u00e9c\u00e9dente',
      next: 'Suivante',
      previous_sr: 'Page pr\u00e9c\u00e9dente',
      next_sr: 'Page suivante',
      page_n: function (n) { return 'Page ' + n; },
      back: 'Retour aux r\u00e9sultats',
      loading_record: 'Chargement du dossier\u2026',
      error_api: 'Le service de recherche a signal\u00e9 une erreur\u00a0: ',
      error_network: 'Impossible de joindre le service de recherche. Veuillez r\u00e9essayer plus tard.',
      error_parameter: 'Param\u00e8tre\u00a0: ',
      footer: 'Base de connaissances du RQI.',
      list_sep: ', ',
      field_id: 'Identifiant',
      field_type: 'Type',
      field_lang: 'Langue',
      field_pair: 'Version dans l\u2019autre langue',
      field_title: 'Titre',
      field_summary: 'R\u00e9sum\u00e9',
      field_body: 'Texte',
      field_province: 'Provinces et territoires',
      field_profession: 'Professions',
      field_topic: 'Sujets',
      field_organization: 'Organisation',
      field_author: 'Auteur',
      field_date: 'Date',
      field_url: 'Adresse Web',
      field_source: 'Source',
      field_status: '\u00c9tat',
      field_contact: 'Personne-ressource',
      field_results: 'R\u00e9sultats',
      field_lessons: 'Le\u00e7ons apprises',
      status_planned: 'Pr\u00e9vue',
      status_active: 'En cours',
      status_completed: 'Termin\u00e9e'
    }
  };

  var state = null;          // current state read from the URL
  var lastKey = null;        // URL key of the last rendered route
  var lastView = null;       // 'search' or 'record'
  var lastRecordId = null;   // record shown last, to focus its link when coming back
  var pendingFocus = null;   // element id to focus after the next render
  var searchCache = { url: null, data: null };
  var searchAbort = null;
  var recordAbort = null;
  var professionFilter = '';
  var vocab = {};            // facet -> code -> {label_en, label_fr, label}
  var seenLabels = { en: {}, fr: {} }; // labels from search facets: lang -> facet -> code -> label
  var vocabReady = null;
  var narrow = null;         // MediaQueryList for phone widths, where filters are collapsible
  var filtersOpen = false;   // filters expanded on phone widths

  function $(id) { return document.getElementById(id); }

  function t(key) {
    var dict = I18N[state ? state.ui_lang : 'en'];
    return Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  }

  /* Creates an element with attributes and children (strings become text nodes, never HTML). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    var name;
    if (attrs) {
      for (name in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, name) && attrs[name] !== null && attrs[name] !== undefined &&
            attrs[name] !== false) {
          node.setAttribute(name, attrs[name] === true ? '' : String(attrs[name]));
        }
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      append(node, arguments[i]);
    }
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) { append(node, c); });
    } else if (typeof child === 'object' && child.nodeType) {
      node.appendChild(child);
    } else {
      node.appendChild(document.createTextNode(String(child)));
    }
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function fmtNumber(n) {
    var v = Number(n);
    if (!isFinite(v)) {
      return String(n);
    }
    try {
      return new Intl.NumberFormat(t('locale')).format(v);
    } catch (e) {
      return String(v);
    }
  }

  /* ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD, possibly with a time) -> {iso, text} in the UI language. */
  function fmtDate(value) {
    var m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(String(value || ''));
    if (!m) {
      return { iso: null, text: String(value || '') };
    }
    var y = Number(m[1]);
    var mo = m[2] ? Number(m[2]) : 0;
    var d = m[3] ? Number(m[3]) : 0;
    var opts = { year: 'numeric', timeZone: 'UTC' };
    var iso = m[1];
    if (mo >= 1 && mo <= 12) {
      opts.month = 'long';
      iso += '-' + m[2];
      if (d >= 1 && d <= 31) {
        opts.day = 'numeric';
        iso += '-' + m[3];
      }
    } else {
      return { iso: iso, text: m[1] };
    }
    try {
      var text = new Intl.DateTimeFormat(t('locale'), opts).format(new Date(Date.UTC(y, mo - 1, d || 1)));
      return { iso: iso, text: text };
    } catch (e) {
      return { iso: iso, text: iso };
    }
  }

  function safeId(s) {
    return String(s).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  function fold(s) {
    var out = String(s).toLowerCase();
    if (out.normalize) {
      out = out.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    }
    return out;
  }

  function asList(v) {
    if (v === null || v === undefined || v === '') {
      return [];
    }
    return Array.isArray(v) ? v : [v];
  }

  /* ---------- state and URLs ---------- */

  function defaultLang() {
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
    return /^fr\b/i.test(nav) ? 'fr' : 'en';
  }

  function readState() {
    var p = new URLSearchParams(location.search);
    var s = { q: (p.get('q') || '').trim(), f: {}, from: '', to: '', sort: 'relevance', page: 1, ui_lang: 'en' };
    FACETS.forEach(function (name) {
      var seen = {};
      s.f[name] = p.getAll(name).filter(function (v) {
        if (v === '' || seen[v]) {
          return false;
        }
        seen[v] = true;
        return true;
      });
    });
    s.from = /^\d{4}$/.test(p.get('from') || '') ? p.get('from') : '';
    s.to = /^\d{4}$/.test(p.get('to') || '') ? p.get('to') : '';
    if (SORTS.indexOf(p.get('sort')) >= 0) {
      s.sort = p.get('sort');
    }
    var page = parseInt(p.get('page') || '1', 10);
    s.page = page >= 1 && page <= 100000 ? page : 1;
    var lang = p.get('ui_lang');
    s.ui_lang = lang === 'en' || lang === 'fr' ? lang : defaultLang();
    return s;
  }

  function copyState(s) {
    var c = { q: s.q, f: {}, from: s.from, to: s.to, sort: s.sort, page: s.page, ui_lang: s.ui_lang };
    FACETS.forEach(function (name) { c.f[name] = s.f[name].slice(); });
    return c;
  }

  function buildParams(s) {
    var p = new URLSearchParams();
    if (s.q) {
      p.set('q', s.q);
    }
    FACETS.forEach(function (name) {
      s.f[name].forEach(function (v) { p.append(name, v); });
    });
    if (s.from) {
      p.set('from', s.from);
    }
    if (s.to) {
      p.set('to', s.to);
    }
    if (s.sort !== 'relevance') {
      p.set('sort', s.sort);
    }
    if (s.page > 1) {
      p.set('page', String(s.page));
    }
    p.set('ui_lang', s.ui_lang);
    return p;
  }

  function pageUrl(s) {
    return location.pathname + '?' + buildParams(s).toString();
  }

  function recordHashId() {
    var m = /^#\/record\/(.+)$/.exec(location.hash);
    if (!m) {
      return null;
    }
    try {
      return decodeURIComponent(m[1]);
    } catch (e) {
      return null;
    }
  }

  function recordHref(id) {
    return '#/record/' + encodeURIComponent(id);
  }

  function navigate(s, focusId) {
    if (focusId) {
      pendingFocus = focusId;
    }
    history.pushState(null, '', pageUrl(s));
    route();
  }

  function hasFilters(s) {
    return Boolean(s.from || s.to || FACETS.some(function (name) { return s.f[name].length > 0; }));
  }

  /* ---------- labels ---------- */

  function loadVocab() {
    return getJSON('/api/v1/facets?ui_lang=en', null).then(function (data) {
      Object.keys(data || {}).forEach(function (facet) {
        if (!Array.isArray(data[facet])) {
          return;
        }
        vocab[facet] = {};
        data[facet].forEach(function (v) {
          if (v && typeof v.value === 'string') {
            vocab[facet][v.value] = v;
          }
        });
      });
    }, function () { /* badges fall back to codes */ });
  }

  function codeLabel(facet, code) {
    var lang = state.ui_lang;
    var seen = seenLabels[lang][facet];
    if (seen && typeof seen[code] === 'string' && seen[code]) {
      return seen[code];
    }
    var v = vocab[facet] && vocab[facet][code];
    if (v) {
      var l = v['label_' + lang] || v.label;
      if (typeof l === 'string' && l) {
        return l;
      }
    }
    if (facet === 'status' && I18N[lang]['status_' + code]) {
      return I18N[lang]['status_' + code];
    }
    return String(code);
  }

  function rememberLabels(facets) {
    var lang = state.ui_lang;
    Object.keys(facets || {}).forEach(function (facet) {
      if (!Array.isArray(facets[facet])) {
        return;
      }
      seenLabels[lang][facet] = seenLabels[lang][facet] || {};
      facets[facet].forEach(function (v) {
        if (v && typeof v.value === 'string' && typeof v.label === 'string') {
          seenLabels[lang][facet][v.value] = v.label;
        }
      });
    });
  }

  /* Label from a documents/{id} "labels" object, whatever its exact shape; null if absent. */
  function docLabel(labels, field, code, index) {
    if (!labels || typeof labels !== 'object') {
      return null;
    }
    var l = labels[field];
    if (typeof l === 'string') {
      return l;
    }
    if (Array.isArray(l)) {
      for (var i = 0; i < l.length; i++) {
        var x = l[i];
        if (x && typeof x === 'object' && (x.value === code || x.code === code) && typeof x.label === 'string') {
          return x.label;
        }
      }
      if (typeof l[index] === 'string') {
        return l[index];
      }
      return null;
    }
    if (l && typeof l === 'object') {
      if (typeof l[code] === 'string') {
        return l[code];
      }
      if (l[code] && typeof l[code].label === 'string') {
        return l[code].label;
      }
    }
    return null;
  }

  /* ---------- API ---------- */

  function ApiError(message, detail) {
    this.message = message;
    this.detail = detail || null;
  }

  function getJSON(url, signal) {
    var opts = { headers: { Accept: 'application/json' } };
    if (signal) {
      opts.signal = signal;
    }
    return fetch(url, opts).then(function (res) {
      return res.json().then(function (body) { return { res: res, body: body }; },
        function () { return { res: res, body: null }; });
    }, function (e) {
      if (e && e.name === 'AbortError') {
        throw e;
      }
      throw new ApiError(null, null);
    }).then(function (r) {
      if (r.body && typeof r.body === 'object' && r.body.error) {
        throw new ApiError(String(r.body.error.message || r.res.statusText || ''), r.body.error);
      }
      if (!r.res.ok || !r.body || typeof r.body !== 'object') {
        throw new ApiError(String(r.res.status) + ' ' + String(r.res.statusText || ''), { status: r.res.status });
      }
      return r.body;
    });
  }

  function showError(err) {
    var box = $('error');
    clear(box);
    if (!err || err.message === null || err.message === undefined) {
      box.appendChild(el('p', null, t('error_network')));
    } else {
      var p = el('p', null, el('strong', null, t('error_api')), err.message);
      box.appendChild(p);
      var d = err.detail || {};
      if (d.parameter) {
        box.appendChild(el('p', null, t('error_parameter'), el('code', null, String(d.parameter))));
      }
      if (d.code || d.status) {
        box.appendChild(el('p', { class: 'error-code' }, [d.status, d.code].filter(Boolean).join(' ')));
      }
    }
    box.hidden = false;
  }

  function clearError() {
    var box = $('error');
    box.hidden = true;
    clear(box);
  }

  /* ---------- language ---------- */

  function applyLanguage() {
    var lang = state.ui_lang;
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (node) {
      node.textContent = t(node.getAttribute('data-i18n'));
    });
    var toggle = $('lang-toggle');
    var other = copyState(state);
    other.ui_lang = t('other_lang');
    var id = recordHashId();
    toggle.setAttribute('href', pageUrl(other) + (id ? recordHref(id) : ''));
    toggle.setAttribute('lang', other.ui_lang);
    toggle.setAttribute('hreflang', other.ui_lang);
    toggle.textContent = t('other_lang_name');
    var home = copyState(state);
    home.q = '';
    home.page = 1;
    home.sort = 'relevance';
    home.from = '';
    home.to = '';
    FACETS.forEach(function (name) { home.f[name] = []; });
    $('home-link').setAttribute('href', pageUrl(home));
    $('pagination').setAttribute('aria-label', t('pagination'));
    $('results-section').setAttribute('aria-label', t('results_heading'));
  }

  /* ---------- routing ---------- */

  function route() {
    var id = recordHashId();
    var key = location.search + '|' + (id === null ? '' : id);
    if (key === lastKey) {
      return;
    }
    lastKey = key;
    state = readState();
    applyLanguage();
    if (id !== null) {
      lastView = 'record';
      showRecord(id);
    } else {
      if (lastView === 'record' && lastRecordId !== null && !pendingFocus) {
        pendingFocus = 'hit-' + safeId(lastRecordId);
      }
      lastView = 'search';
      showSearch();
    }
  }

  function applyPendingFocus() {
    if (!pendingFocus) {
      return;
    }
    var node = $(pendingFocus);
    pendingFocus = null;
    if (node) {
      node.focus();
    }
  }

  /* ---------- search view ---------- */

  function activeFilterCount(s) {
    var n = (s.from ? 1 : 0) + (s.to ? 1 : 0);
    FACETS.forEach(function (name) { n += s.f[name].length; });
    return n;
  }

  /* On phone widths the filters collapse behind a toggle button so results are not pushed far down. */
  function syncFiltersToggle() {
    var button = $('filters-toggle');
    var body = $('filters-body');
    var collapsible = narrow ? narrow.matches : false;
    var open = !collapsible || filtersOpen;
    var n = state ? activeFilterCount(state) : 0;
    button.hidden = !collapsible;
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    button.textContent = t(open ? 'hide_filters' : 'show_filters') + (n ? ' (' + fmtNumber(n) + ')' : '');
    body.classList.toggle('collapsed', !open);
  }

  function syncControls() {
    $('q').value = state.q;
    $('sort').value = state.sort;
    $('from').value = state.from;
    $('to').value = state.to;
    $('clear-filters').hidden = !hasFilters(state);
    syncFiltersToggle();
  }

  function stopLoading() {
    var results = $('results-section');
    results.removeAttribute('aria-busy');
    results.classList.remove('loading');
  }

  function showSearch() {
    if (recordAbort) {
      recordAbort.abort();
      recordAbort = null;
    }
    $('record-view').hidden = true;
    $('search-view').hidden = false;
    syncControls();
    document.title = (state.q ? '\u201c' + state.q + '\u201d \u2013 ' : '') + t('doc_title');
    var params = buildParams(state);
    params.set('per_page', String(PER_PAGE));
    var url = '/api/v1/search?' + params.toString();
    if (searchCache.url === url) {
      if (searchAbort) {
        searchAbort.abort();
        searchAbort = null;
      }
      stopLoading();
      renderSearch(searchCache.data);
      return;
    }
    if (searchAbort) {
      searchAbort.abort();
    }
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    searchAbort = ctrl;
    var results = $('results-section');
    if (!$('summary').textContent) {
      $('summary').textContent = t('searching');
    }
    results.setAttribute('aria-busy', 'true');
    results.classList.add('loading');
    var wanted = state;
    function done() {
      if (searchAbort === ctrl) {
        searchAbort = null;
      }
      stopLoading();
    }
    // Both requests run at once; vocabReady never fails (labels fall back to codes).
    Promise.all([getJSON(url, ctrl ? ctrl.signal : null), vocabReady]).then(function (both) {
      var data = both[0];
      if (state !== wanted) {
        return;
      }
      done();
      searchCache = { url: url, data: data };
      renderSearch(data);
    }, function (err) {
      if ((err && err.name === 'AbortError') || state !== wanted) {
        return;
      }
      done();
      renderSearch(null);
      showError(err);
    });
  }

  function renderSearch(data) {
    clearError();
    var active = document.activeElement;
    var activeId = active && active.id ? active.id : null;
    var ok = data && typeof data === 'object';
    var total = ok ? Number(data.total) || 0 : 0;
    var hits = ok && Array.isArray(data.hits) ? data.hits : [];
    var facets = ok && data.facets && typeof data.facets === 'object' ? data.facets : {};
    var perPage = ok ? Number(data.per_page) || PER_PAGE : PER_PAGE;
    var page = ok ? Number(data.page) || state.page : state.page;
    if (ok) {
      rememberLabels(facets);
    }

    var summary = $('summary');
    if (!ok) {
      summary.textContent = '';
    } else if (state.q) {
      summary.textContent = total > 0 ? t('results_q')(fmtNumber(total), total, state.q) : t('results_none_q')(state.q);
    } else {
      summary.textContent = total > 0 ? t('results_all')(fmtNumber(total), total) : t('results_none');
    }

    renderDidYouMean(ok ? data.did_you_mean : null);
    renderHits(hits);
    renderFacets(facets);
    renderPagination(total, page, perPage);

    // A checkbox that was replaced by the re-render gets its focus back.
    if (activeId && !document.body.contains(active)) {
      var again = $(activeId);
      if (again) {
        again.focus();
      }
    }
    applyPendingFocus();
  }

  function renderDidYouMean(suggestion) {
    var box = $('did-you-mean');
    clear(box);
    if (typeof suggestion !== 'string' || !suggestion || suggestion === state.q) {
      box.hidden = true;
      return;
    }
    var s = copyState(state);
    s.q = suggestion;
    s.page = 1;
    box.appendChild(document.createTextNode(t('did_you_mean')));
    box.appendChild(el('a', { href: pageUrl(s), 'data-nav': '', 'data-focus': 'results-heading' }, el('strong', null, suggestion)));
    box.appendChild(document.createTextNode(t('did_you_mean_end')));
    box.hidden = false;
  }

  /* Copies the server's escaped snippet keeping only text and <mark>; the one place HTML is parsed. */
  function snippetNodes(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = String(html);
    var frag = document.createDocumentFragment();
    (function copy(src, dst) {
      Array.prototype.forEach.call(src.childNodes, function (n) {
        if (n.nodeType === 3) {
          dst.appendChild(document.createTextNode(n.data));
        } else if (n.nodeType === 1) {
          if (n.nodeName === 'MARK') {
            var m = document.createElement('mark');
            copy(n, m);
            dst.appendChild(m);
          } else {
            copy(n, dst);
          }
        }
      });
    })(tpl.content, frag);
    return frag;
  }

  function renderHits(hits) {
    var list = $('hits');
    clear(list);
    hits.forEach(function (h) {
      if (!h || typeof h !== 'object') {
        return;
      }
      var id = String(h.id || '');
      var li = el('li', { class: 'hit' });
      var link = el('a', { href: recordHref(id), id: 'hit-' + safeId(id), 'data-nav': '' }, String(h.title || id));
      if (h.lang === 'en' || h.lang === 'fr') {
        link.setAttribute('lang', h.lang);
      }
      li.appendChild(el('h3', { class: 'hit-title' }, link));

      var meta = el('p', { class: 'hit-meta' });
      var parts = [];
      if (h.type) {
        parts.push(el('span', { class: 'hit-type' }, codeLabel('type', h.type)));
      }
      if (h.date) {
        var d = fmtDate(h.date);
        parts.push(d.iso ? el('time', { datetime: d.iso }, d.text) : el('span', null, d.text));
      }
      if (h.organization) {
        parts.push(el('span', null, String(h.organization)));
      }
      if (h.lang) {
        parts.push(el('span', null, codeLabel('lang', h.lang)));
      }
      parts.forEach(function (p, i) {
        if (i > 0) {
          meta.appendChild(el('span', { class: 'sep', 'aria-hidden': 'true' }, ' \u00b7 '));
        }
        meta.appendChild(p);
      });
      if (parts.length) {
        li.appendChild(meta);
      }

      var text = null;
      if (typeof h.snippet === 'string' && h.snippet) {
        text = el('p', { class: 'hit-snippet' }, snippetNodes(h.snippet));
      } else if (typeof h.summary === 'string' && h.summary) {
        text = el('p', { class: 'hit-snippet' }, h.summary);
      }
      if (text) {
        if (h.lang === 'en' || h.lang === 'fr') {
          text.setAttribute('lang', h.lang);
        }
        li.appendChild(text);
      }

      var badges = el('ul', { class: 'badges' });
      ['province', 'profession', 'topic'].forEach(function (facet) {
        asList(h[facet]).forEach(function (code) {
          badges.appendChild(el('li', { class: 'badge badge-' + facet },
            el('span', { class: 'visually-hidden' }, t('facet_' + facet) + ': '), codeLabel(facet, code)));
        });
      });
      if (badges.firstChild) {
        li.appendChild(badges);
      }
      list.appendChild(li);
    });
  }

  function renderFacets(facets) {
    var box = $('facets');
    clear(box);
    FACETS.forEach(function (name) {
      var values = Array.isArray(facets[name]) ? facets[name].slice() : [];
      // Keep selected values visible even if the server left them out.
      state.f[name].forEach(function (code) {
        var found = values.some(function (v) { return v && v.value === code; });
        if (!found) {
          values.push({ value: code, label: codeLabel(name, code), count: 0, selected: true });
        }
      });
      if (!values.length) {
        return;
      }
      var fs = el('fieldset', { class: 'facet facet-' + name }, el('legend', null, t('facet_' + name)));
      var list = el('ul', { class: 'facet-list' + (name === 'profession' ? ' facet-list-long' : '') });
      values.forEach(function (v) {
        if (!v || typeof v.value !== 'string') {
          return;
        }
        var id = 'f-' + name + '-' + safeId(v.value);
        var label = typeof v.label === 'string' && v.label ? v.label : codeLabel(name, v.value);
        var cb = el('input', { type: 'checkbox', id: id, name: name, value: v.value });
        cb.checked = Boolean(v.selected) || state.f[name].indexOf(v.value) >= 0;
        var lab = el('label', { for: id }, label, ' ',
          el('span', { class: 'count' }, '(' + fmtNumber(v.count || 0) + ')'));
        var item = el('li', null, cb, lab);
        item.setAttribute('data-filter', fold(label + ' ' + v.value));
        list.appendChild(item);
      });
      if (name === 'profession' && values.length > 8) {
        var input = el('input', { type: 'search', id: 'profession-filter', autocomplete: 'off',
          'aria-controls': 'profession-list', 'aria-describedby': 'profession-none' });
        input.value = professionFilter;
        fs.appendChild(el('div', { class: 'facet-filter' },
          el('label', { for: 'profession-filter' }, t('filter_professions')), input));
        list.id = 'profession-list';
        fs.appendChild(list);
        fs.appendChild(el('p', { id: 'profession-none', class: 'hint', hidden: true }, t('no_professions')));
      } else {
        fs.appendChild(list);
      }
      box.appendChild(fs);
    });
    applyProfessionFilter();
  }

  function applyProfessionFilter() {
    var list = $('profession-list');
    if (!list) {
      return;
    }
    var needle = fold(professionFilter.trim());
    var shown = 0;
    Array.prototype.forEach.call(list.children, function (li) {
      var cb = li.querySelector('input');
      var match = !needle || li.getAttribute('data-filter').indexOf(needle) >= 0 || (cb && cb.checked);
      li.hidden = !match;
      if (match) {
        shown++;
      }
    });
    var none = $('profession-none');
    if (none) {
      none.hidden = shown > 0;
    }
  }

  function renderPagination(total, page, perPage) {
    var nav = $('pagination');
    clear(nav);
    var pages = Math.max(1, Math.ceil(total / perPage));
    if (pages <= 1) {
      nav.hidden = true;
      return;
    }
    var list = el('ul');
    function pageLink(n, text, extra) {
      var s = copyState(state);
      s.page = n;
      var attrs = { href: pageUrl(s), 'data-nav': '', 'data-focus': 'results-heading' };
      Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
      return el('a', attrs, text);
    }
    if (page > 1) {
      list.appendChild(el('li', { class: 'page-prev' }, pageLink(page - 1, [
        el('span', { 'aria-hidden': 'true' }, '\u2039 ' + t('previous')),
        el('span', { class: 'visually-hidden' }, t('previous_sr'))], { rel: 'prev' })));
    }
    var nums = [];
    for (var n = 1; n <= pages; n++) {
      if (n === 1 || n === pages || Math.abs(n - page) <= 2) {
        nums.push(n);
      } else if (nums[nums.length - 1] !== 0) {
        nums.push(0);
      }
    }
    nums.forEach(function (n) {
      if (n === 0) {
        list.appendChild(el('li', { class: 'page-gap', 'aria-hidden': 'true' }, '\u2026'));
        return;
      }
      var label = t('page_n')(fmtNumber(n));
      list.appendChild(el('li', null, pageLink(n, fmtNumber(n),
        { 'aria-label': label, 'aria-current': n === page ? 'page' : null })));
    });
    if (page < pages) {
      list.appendChild(el('li', { class: 'page-next' }, pageLink(page + 1, [
        el('span', { 'aria-hidden': 'true' }, t('next') + ' \u203a'),
        el('span', { class: 'visually-hidden' }, t('next_sr'))], { rel: 'next' })));
    }
    nav.appendChild(list);
    nav.hidden = false;
  }

  /* ---------- record view ---------- */

  function paragraphs(text, lang) {
    var frag = document.createDocumentFragment();
    String(text).split(/\r?\n\s*\r?\n/).forEach(function (para) {
      var p = para.trim();
      if (p) {
        var node = el('p', null, p);
        if (lang) {
          node.setAttribute('lang', lang);
        }
        frag.appendChild(node);
      }
    });
    return frag;
  }

  function fieldValue(rec, labels, field) {
    var value = rec[field];
    var lang = rec.lang === 'en' || rec.lang === 'fr' ? rec.lang : null;
    if (CODED_FIELDS[field]) {
      var codes = asList(value).map(String);
      var items = codes.map(function (code, i) {
        var label = docLabel(labels, field, code, i) || codeLabel(CODED_FIELDS[field], code);
        return field === 'profession' && label !== code ? label + ' (' + code + ')' : label;
      });
      if (items.length === 1) {
        return document.createTextNode(items[0]);
      }
      return el('ul', { class: 'inline-list' }, items.map(function (x) { return el('li', null, x); }));
    }
    if (field === 'date') {
      var d = fmtDate(value);
      return d.iso ? el('time', { datetime: d.iso }, d.text) : document.createTextNode(d.text);
    }
    if (field === 'url') {
      var url = String(value);
      if (/^https?:\/\//i.test(url)) {
        return el('a', { href: url, rel: 'noopener noreferrer' }, url);
      }
      return document.createTextNode(url);
    }
    if (field === 'pair') {
      var pair = String(value);
      return el('a', { href: recordHref(pair), 'data-nav': '', hreflang: lang ? (lang === 'en' ? 'fr' : 'en') : null }, pair);
    }
    if (field === 'id' || field === 'source') {
      return el('code', null, String(value));
    }
    if (PARAGRAPH_FIELDS[field]) {
      return paragraphs(value, lang);
    }
    var span = el('span', null, Array.isArray(value) ? value.join(t('list_sep')) : String(value));
    if (lang && (field === 'organization' || field === 'author')) {
      span.setAttribute('lang', lang);
    }
    return span;
  }

  function isEmpty(v) {
    return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && !Array.isArray(v));
  }

  function showRecord(id) {
    if (searchAbort) {
      searchAbort.abort();
      searchAbort = null;
    }
    stopLoading();
    if (recordAbort) {
      recordAbort.abort();
    }
    lastRecordId = id;
    clearError();
    syncControls();
    $('search-view').hidden = true;
    $('record-view').hidden = false;
    $('back-link').setAttribute('href', pageUrl(state));
    $('back-link').setAttribute('data-nav', '');
    var title = $('record-title');
    title.textContent = t('loading_record');
    title.removeAttribute('lang');
    clear($('record-fields'));
    clear($('record-body'));
    $('record-body-heading').hidden = true;
    document.title = t('doc_title');

    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    recordAbort = ctrl;
    var wanted = state;
    var url = '/api/v1/documents/' + encodeURIComponent(id) + '?ui_lang=' + encodeURIComponent(state.ui_lang);
    // Both requests run at once; vocabReady never fails (labels fall back to codes).
    Promise.all([getJSON(url, ctrl ? ctrl.signal : null), vocabReady]).then(function (both) {
      var data = both[0];
      if (state !== wanted) {
        return;
      }
      renderRecord(data);
    }, function (err) {
      if ((err && err.name === 'AbortError') || state !== wanted) {
        return;
      }
      title.textContent = id;
      showError(err);
      title.focus();
    });
  }

  function renderRecord(data) {
    var rec = data && data.record && typeof data.record === 'object' ? data.record : data;
    var labels = data && data.labels ? data.labels : null;
    var lang = rec.lang === 'en' || rec.lang === 'fr' ? rec.lang : null;
    var title = $('record-title');
    title.textContent = String(rec.title || rec.id || '');
    if (lang) {
      title.setAttribute('lang', lang);
    }
    document.title = String(rec.title || rec.id || '') + ' \u2013 ' + t('doc_title');

    var dl = $('record-fields');
    clear(dl);
    var fields = RECORD_FIELDS.slice();
    // Fields the page does not know yet are still shown, under their own name.
    Object.keys(rec).forEach(function (k) {
      if (fields.indexOf(k) < 0 && k !== 'title' && k !== 'body') {
        fields.push(k);
      }
    });
    fields.forEach(function (field) {
      if (isEmpty(rec[field])) {
        return;
      }
      var label = I18N[state.ui_lang]['field_' + field] || field;
      dl.appendChild(el('div', { class: 'field field-' + safeId(field) },
        el('dt', null, label), el('dd', null, fieldValue(rec, labels, field))));
    });

    var body = $('record-body');
    clear(body);
    if (typeof rec.body === 'string' && rec.body.trim()) {
      body.appendChild(paragraphs(rec.body, lang));
      $('record-body-heading').hidden = false;
    }
    title.focus();
  }

  /* ---------- events ---------- */

  function bindEvents() {
    $('search-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var s = copyState(state);
      s.q = $('q').value.trim();
      s.page = 1;
      navigate(s, null);
    });

    $('sort').addEventListener('change', function () {
      var s = copyState(state);
      s.sort = SORTS.indexOf(this.value) >= 0 ? this.value : 'relevance';
      s.page = 1;
      navigate(s, null);
    });

    $('date-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var s = copyState(state);
      var from = $('from').value.trim();
      var to = $('to').value.trim();
      s.from = /^\d{4}$/.test(from) ? from : '';
      s.to = /^\d{4}$/.test(to) ? to : '';
      s.page = 1;
      navigate(s, null);
    });

    $('clear-filters').addEventListener('click', function () {
      var s = copyState(state);
      FACETS.forEach(function (name) { s.f[name] = []; });
      s.from = '';
      s.to = '';
      s.page = 1;
      navigate(s, 'filters-heading');
    });

    $('facets').addEventListener('change', function (e) {
      var cb = e.target;
      if (!cb || cb.type !== 'checkbox' || FACETS.indexOf(cb.name) < 0) {
        return;
      }
      var s = copyState(state);
      var list = s.f[cb.name].filter(function (v) { return v !== cb.value; });
      if (cb.checked) {
        list.push(cb.value);
      }
      s.f[cb.name] = list;
      s.page = 1;
      navigate(s, cb.id);
    });

    $('filters-toggle').addEventListener('click', function () {
      filtersOpen = !filtersOpen;
      syncFiltersToggle();
    });
    if (window.matchMedia) {
      narrow = window.matchMedia('(max-width: 47.99em)');
      var onWidth = function () { syncFiltersToggle(); };
      if (narrow.addEventListener) {
        narrow.addEventListener('change', onWidth);
      } else if (narrow.addListener) {
        narrow.addListener(onWidth);
      }
    }

    $('facets').addEventListener('input', function (e) {
      if (e.target && e.target.id === 'profession-filter') {
        professionFilter = e.target.value;
        applyProfessionFilter();
      }
    });

    // Same-page links: keep them real links (shareable, open in a new tab) but route without reloading.
    document.addEventListener('click', function (e) {
      var a = e.target.closest ? e.target.closest('a[data-nav]') : null;
      if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
        return;
      }
      e.preventDefault();
      if (a.getAttribute('data-focus')) {
        pendingFocus = a.getAttribute('data-focus');
      }
      history.pushState(null, '', a.getAttribute('href'));
      route();
    });

    // The skip link moves focus without touching the URL (the hash is used for record pages).
    document.querySelector('.skip-link').addEventListener('click', function (e) {
      e.preventDefault();
      $('main').focus();
    });

    window.addEventListener('popstate', route);
    window.addEventListener('hashchange', route);
  }

  function init() {
    $('home-link').setAttribute('data-nav', '');
    $('lang-toggle').setAttribute('data-nav', '');
    vocabReady = loadVocab();
    bindEvents();
    route();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
