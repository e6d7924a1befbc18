/* app.js - progressive enhancement of the server-rendered search page: filters, sort, chips and
 * pagination update the results in place (the server renders the region, partial=1), the URL
 * follows every state (back and forward work), the profession list can be narrowed as you type,
 * filters fold away on small screens, and the search box offers suggestions from
 * /api/v1/suggest. Every page works without this file. No inline styles, no HTML from strings. */
(function () {
  'use strict';

  var root = document.documentElement;
  root.classList.remove('no-js');
  root.classList.add('js');

  var NARROW = '(max-width: 47.99em)';

  function $(id) { return document.getElementById(id); }

  function ready(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  /* Lower case without accents, like the server's folding, for matching profession names. */
  function fold(s) {
    var out = String(s).toLowerCase();
    return out.normalize ? out.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : out;
  }

  ready(function () {
    var form = $('search-form');
    var region = $('search-region');
    if (!form || !region) {
      return; /* a record or error page: nothing to enhance */
    }
    var input = $('q');
    var status = $('search-status');
    var searchPath = form.getAttribute('action');
    var text = {
      loading: form.getAttribute('data-loading') || '',
      loadError: form.getAttribute('data-load-error') || '',
      showFilters: form.getAttribute('data-show-filters') || '',
      suggestLabel: form.getAttribute('data-suggest-label') || '',
      suggestCount: form.getAttribute('data-suggest-count') || '',
      recordPath: form.getAttribute('data-record-path') || '',
      kinds: {
        title: form.getAttribute('data-kind-title') || '',
        province: form.getAttribute('data-kind-province') || '',
        profession: form.getAttribute('data-kind-profession') || '',
        topic: form.getAttribute('data-kind-topic') || ''
      }
    };
    var narrow = window.matchMedia ? window.matchMedia(NARROW) : null;
    var filtersOpen = false;   /* on narrow screens, filters start folded */
    var professionText = '';   /* what was typed in "search within professions" */
    var pending = null;        /* the AbortController of the region request in flight */
    var shownUrl = location.pathname + location.search;

    /* ---------- the region ---------- */

    function announce(message) {
      status.textContent = '';
      window.setTimeout(function () { status.textContent = message; }, 100);
    }

    function partialUrl(url) {
      var u = new URL(url, location.href);
      u.searchParams.delete('partial');
      u.searchParams.set('partial', '1');
      return u.pathname + u.search;
    }

    /* The page's other parts follow the region: title, language toggle, feed link, search box. */
    function syncPage() {
      document.title = region.getAttribute('data-title') || document.title;
      var other = region.getAttribute('data-lang-url');
      if (other) {
        $('lang-toggle').setAttribute('href', other);
        if ($('other-lang-link')) {
          $('other-lang-link').setAttribute('href', other);
        }
      }
      var feed = region.getAttribute('data-feed-url');
      if (feed && $('feed-link')) {
        $('feed-link').setAttribute('href', feed);
      }
      input.value = region.getAttribute('data-q') || '';
    }

    function focusAfter(target) {
      var el = typeof target === 'string' ? $(target) : null;
      if (!el) {
        el = $('results-heading');
      }
      if (el) {
        el.focus();
      }
    }

    /* Fetch the region of url, swap it in, and (push) add url to the history. */
    function load(url, push, focus) {
      if (pending) {
        pending.abort();
      }
      var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
      pending = ctrl;
      region.setAttribute('aria-busy', 'true');
      region.classList.add('is-loading');
      status.textContent = text.loading;
      fetch(partialUrl(url), { headers: { Accept: 'text/html' }, credentials: 'same-origin',
        signal: ctrl ? ctrl.signal : undefined })
        .then(function (resp) {
          if (!resp.ok) {
            throw new Error('HTTP ' + resp.status);
          }
          return resp.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var fresh = doc.getElementById('search-region');
          if (!fresh) {
            throw new Error('no region');
          }
          fresh = document.importNode(fresh, true);
          region.parentNode.replaceChild(fresh, region);
          region = fresh;
          pending = null;
          var u = new URL(url, location.href);
          shownUrl = u.pathname + u.search;
          if (push) {
            history.pushState({ iqn: true }, '', shownUrl);
          }
          syncPage();
          enhanceRegion();
          if (focus) {
            focusAfter(focus);
          }
          announce(region.getAttribute('data-status') || '');
        })
        .catch(function (err) {
          if (err && err.name === 'AbortError') {
            return;
          }
          pending = null;
          region.removeAttribute('aria-busy');
          region.classList.remove('is-loading');
          status.textContent = text.loadError;
          /* The server renders every state: go there the ordinary way. */
          window.location.assign(url);
        });
    }

    /* A URL of the search page from a form's fields, without empty values or the typing aids. */
    function urlFromForm(f) {
      var params = new URLSearchParams();
      var data = new FormData(f);
      data.forEach(function (value, name) {
        if (value !== '' && name !== 'pf' && name !== 'page' && name !== 'partial') {
          params.append(name, value);
        }
      });
      var qs = params.toString();
      return searchPath + (qs ? '?' + qs : '');
    }

    /* ---------- filters ---------- */

    function applyProfessionFilter() {
      var list = $('profession-list');
      var box = $('pf');
      if (!list || !box) {
        return;
      }
      var needle = fold(box.value.trim());
      var shown = 0;
      Array.prototype.forEach.call(list.children, function (li) {
        var cb = li.querySelector('input');
        var match = !needle || fold(li.textContent).indexOf(needle) >= 0 ||
          (cb && (cb.value.indexOf(needle) >= 0 || cb.checked));
        li.hidden = !match;
        if (match) {
          shown++;
        }
      });
      var none = $('pf-none');
      if (none) {
        none.hidden = shown > 0;
      }
    }

    function syncFiltersToggle() {
      var btn = $('filters-toggle');
      var body = $('filters-form');
      if (!body) {
        return;
      }
      var isNarrow = narrow && narrow.matches;
      if (!isNarrow) {
        if (btn) {
          btn.hidden = true;
        }
        body.hidden = false;
        return;
      }
      if (!btn) {
        btn = document.createElement('button');
        btn.type = 'button';
        btn.id = 'filters-toggle';
        btn.className = 'filters-toggle secondary';
        btn.setAttribute('aria-controls', 'filters-form');
        btn.textContent = text.showFilters;
        var heading = $('filters-heading');
        heading.parentNode.insertBefore(btn, heading.nextSibling);
      }
      btn.hidden = false;
      btn.setAttribute('aria-expanded', filtersOpen ? 'true' : 'false');
      body.hidden = !filtersOpen;
    }

    /* What the freshly swapped (or first) region needs from the script. */
    function enhanceRegion() {
      var box = $('pf');
      if (box) {
        if (professionText) {
          box.value = professionText;
        }
        applyProfessionFilter();
      }
      syncFiltersToggle();
    }

    document.addEventListener('click', function (e) {
      var t = e.target;
      if (t && t.id === 'filters-toggle') {
        filtersOpen = !filtersOpen;
        syncFiltersToggle();
        return;
      }
      var a = t && t.closest ? t.closest('a[href]') : null;
      if (!a || !region.contains(a) || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey ||
          e.shiftKey || e.altKey) {
        return;
      }
      var u = new URL(a.getAttribute('href'), location.href);
      if (u.origin !== location.origin || u.pathname !== searchPath) {
        return; /* records, feeds, the other language: ordinary links */
      }
      e.preventDefault();
      load(u.pathname + u.search, true, 'results-heading');
    });

    document.addEventListener('change', function (e) {
      var t = e.target;
      if (!t || !t.form || !region.contains(t)) {
        return;
      }
      if (t.id === 'pf') {
        return;
      }
      if (t.form.id === 'filters-form' || t.form.id === 'sort-form') {
        load(urlFromForm(t.form), true, t.id);
      }
    });

    document.addEventListener('submit', function (e) {
      var f = e.target;
      if (f === form) {
        e.preventDefault();
        closeSuggestions();
        var params = new URLSearchParams(location.pathname === searchPath ? location.search : '');
        params.delete('page');
        params.delete('pf');
        params.delete('partial');
        var q = input.value.trim();
        if (q) {
          params.set('q', q);
        } else {
          params.delete('q');
        }
        var qs = params.toString();
        load(searchPath + (qs ? '?' + qs : ''), true, null);
        return;
      }
      if (f.id === 'filters-form' || f.id === 'sort-form') {
        e.preventDefault();
        load(urlFromForm(f), true, 'results-heading');
      }
    });

    document.addEventListener('input', function (e) {
      if (e.target && e.target.id === 'pf') {
        professionText = e.target.value;
        applyProfessionFilter();
      }
    });

    document.addEventListener('keydown', function (e) {
      var t = e.target;
      if (!t || e.key !== 'Enter') {
        return;
      }
      if (t.id === 'pf') {
        e.preventDefault(); /* the list is already narrowed: nothing to send */
      } else if (t.type === 'checkbox' && t.form && t.form.id === 'filters-form') {
        e.preventDefault(); /* Enter toggles a filter, like Space */
        t.click();
      }
    });

    window.addEventListener('popstate', function () {
      var now = location.pathname + location.search;
      if (now === shownUrl || location.pathname !== searchPath) {
        return; /* a change of #fragment only */
      }
      load(now, false, null);
    });

    if (narrow) {
      var onWidth = function () { syncFiltersToggle(); };
      if (narrow.addEventListener) {
        narrow.addEventListener('change', onWidth);
      } else if (narrow.addListener) {
        narrow.addListener(onWidth);
      }
    }

    history.replaceState({ iqn: true }, '', location.href);
    enhanceRegion();

    /* ---------- suggestions (ARIA 1.2 combobox with a listbox popup) ---------- */

    var combo = $('q-combo');
    var list = document.createElement('ul');
    var liveCount = document.createElement('p');
    var suggestions = [];
    var active = -1;
    var timer = null;
    var suggestAbort = null;
    var lastAsked = '';

    list.id = 'q-suggest';
    list.className = 'suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', text.suggestLabel);
    list.hidden = true;
    liveCount.id = 'q-suggest-status';
    liveCount.className = 'visually-hidden';
    liveCount.setAttribute('role', 'status');
    combo.appendChild(list);
    combo.appendChild(liveCount);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', 'q-suggest');

    function closeSuggestions() {
      suggestions = [];
      active = -1;
      list.hidden = true;
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function setActive(i) {
      var items = list.children;
      if (active >= 0 && items[active]) {
        items[active].setAttribute('aria-selected', 'false');
        items[active].classList.remove('is-active');
      }
      active = i;
      if (active >= 0 && items[active]) {
        items[active].setAttribute('aria-selected', 'true');
        items[active].classList.add('is-active');
        input.setAttribute('aria-activedescendant', items[active].id);
        if (items[active].scrollIntoView) {
          items[active].scrollIntoView({ block: 'nearest' });
        }
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function showSuggestions(items) {
      closeSuggestions();
      suggestions = items;
      if (!items.length) {
        return;
      }
      items.forEach(function (s, i) {
        var li = document.createElement('li');
        li.id = 'q-suggest-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.className = 'suggestion';
        var label = document.createElement('span');
        label.className = 'suggestion-text';
        label.textContent = s.text;
        li.appendChild(label);
        var kind = text.kinds[s.kind];
        if (kind) {
          var k = document.createElement('span');
          k.className = 'suggestion-kind';
          k.textContent = kind;
          li.appendChild(document.createTextNode(' '));
          li.appendChild(k);
        }
        li.addEventListener('mousedown', function (e) {
          e.preventDefault(); /* keep focus in the box */
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      liveCount.textContent = items.length + text.suggestCount;
    }

    function choose(i) {
      var s = suggestions[i];
      closeSuggestions();
      if (!s) {
        return;
      }
      if (s.kind === 'title' && s.value) {
        window.location.assign(text.recordPath + encodeURIComponent(s.value));
        return;
      }
      if ((s.kind === 'province' || s.kind === 'profession' || s.kind === 'topic') && s.value) {
        /* A filter value: select it, and let it stand in for the words typed. */
        var params = new URLSearchParams(location.pathname === searchPath ? location.search : '');
        params.delete('page');
        params.delete('pf');
        params.delete('q');
        if (params.getAll(s.kind).indexOf(s.value) < 0) {
          params.append(s.kind, s.value);
        }
        input.value = '';
        var qs = params.toString();
        load(searchPath + (qs ? '?' + qs : ''), true, null);
        return;
      }
      input.value = s.text;
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event('submit', { cancelable: true }));
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < 2) {
        closeSuggestions();
        return;
      }
      if (q === lastAsked && suggestions.length) {
        return;
      }
      lastAsked = q;
      if (suggestAbort) {
        suggestAbort.abort();
      }
      suggestAbort = typeof AbortController === 'function' ? new AbortController() : null;
      var url = '/api/v1/suggest?q=' + encodeURIComponent(q) + '&ui_lang=' + encodeURIComponent(root.lang || 'en');
      fetch(url, { headers: { Accept: 'application/json' }, signal: suggestAbort ? suggestAbort.signal : undefined })
        .then(function (resp) { return resp.ok ? resp.json() : null; })
        .then(function (data) {
          if (input.value.trim() !== q || document.activeElement !== input) {
            return;
          }
          var items = data && Array.isArray(data.suggestions) ? data.suggestions : [];
          showSuggestions(items.filter(function (s) {
            return s && typeof s.text === 'string' && s.text;
          }).slice(0, 8));
        })
        .catch(function () { /* no suggestions: the box works as a plain search box */ });
    }

    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });

    input.addEventListener('keydown', function (e) {
      var open = !list.hidden && suggestions.length > 0;
      if (e.key === 'ArrowDown') {
        if (open) {
          e.preventDefault();
          setActive(active + 1 < suggestions.length ? active + 1 : 0);
        } else {
          lastAsked = '';
          ask();
        }
      } else if (e.key === 'ArrowUp' && open) {
        e.preventDefault();
        setActive(active > 0 ? active - 1 : suggestions.length - 1);
      } else if (e.key === 'Enter' && open && active >= 0) {
        e.preventDefault();
        choose(active);
      } else if (e.key === 'Escape' && open) {
        e.preventDefault();
        closeSuggestions();
      } else if (e.key === 'Tab') {
        closeSuggestions();
      }
    });

    input.addEventListener('blur', function () {
      window.setTimeout(closeSuggestions, 150);
    });
  });
})();
