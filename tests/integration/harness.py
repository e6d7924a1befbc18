"""harness.py - shared pieces of the integration tests: the programs under test, temporary
directories, running iqn-index and parsing its summary, starting iqn-searchd on a free port and
stopping it with SIGTERM (checking exit 0 and a sanitizer-clean stderr), HTTP helpers, an
independent reader of the IQN XML corpus and vocabularies, and a unittest runner that ends with
"N passed, N failed".

Python 3 standard library only."""

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

# ---- the programs under test ----------------------------------------------------------------


class Config:
    index = os.environ.get("IQN_INDEX", "")
    searchd = os.environ.get("IQN_SEARCHD", "")
    gen = os.environ.get("IQN_GEN", "")
    source = os.environ.get("IQN_SOURCE", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

    @classmethod
    def path(cls, *parts):
        return os.path.join(cls.source, *parts)

    @classmethod
    def vocab_dir(cls):
        return cls.path("corpus", "vocab")

    @classmethod
    def web_dir(cls):
        return cls.path("web")

    @classmethod
    def fixture(cls, name):
        return cls.path("tests", "fixtures", name)


SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "LeakSanitizer", "runtime error:")

# Under ASan the programs are slow to start and to answer; be generous.
START_TIMEOUT = 60.0
RUN_TIMEOUT = 300.0


def sanitizer_problems(text):
    """The lines of text that are sanitizer reports (empty list when clean)."""
    return [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKERS)]


def xapian_check(db):
    """(exit status, output) of Xapian's xapian-check on the index at db."""
    proc = subprocess.run(["xapian-check", db], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def child_env():
    env = dict(os.environ)
    # Leak checking on; abort on the first UBSan report so it cannot go unnoticed.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    return env


# ---- iqn-index -------------------------------------------------------------------------------

SUMMARY_RE = re.compile(
    r"iqn-index: (?P<dry>dry run: )?(?P<records>\d+) records? in (?P<files>\d+) files?: "
    r"(?P<added>\d+) added, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged, (?P<failed>\d+) failed"
    r"(?: \((?P<skipped>\d+) files? skipped\))?")
DELETE_RE = re.compile(r"iqn-index: (?:dry run: )?deleted (?P<deleted>\d+), not found (?P<not_found>\d+)")


class IndexRun:
    """The outcome of one iqn-index run: returncode, stdout, stderr and the parsed summary."""

    def __init__(self, args, proc):
        self.args = args
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.summary = parse_summary(proc.stdout)
        self.deletes = parse_deletes(proc.stdout)

    def __repr__(self):
        return "iqn-index %s -> %d\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.args), self.returncode, self.stdout, self.stderr[-4000:])


def parse_summary(stdout):
    """The numbers of the summary line as a dict of ints (plus 'dry_run'), or None."""
    for line in stdout.splitlines():
        m = SUMMARY_RE.search(line)
        if m:
            d = {k: int(v) for k, v in m.groupdict().items() if k != "dry" and v is not None}
            d.setdefault("skipped", 0)
            d["dry_run"] = bool(m.group("dry"))
            return d
    return None


def parse_deletes(stdout):
    for line in stdout.splitlines():
        m = DELETE_RE.search(line)
        if m:
            return {k: int(v) for k, v in m.groupdict().items()}
    return None


def run_index(db, paths, *extra, stdin=None, vocab=True, check_sanitizer=True):
    """Run iqn-index --db db [extra] paths; stdin (bytes) feeds '-'. Raises AssertionError on a
    sanitizer report or a timeout."""
    args = [Config.index, "--db", db]
    if vocab:
        args += ["--vocab", Config.vocab_dir()]
    args += list(extra) + list(paths)
    proc = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=RUN_TIMEOUT, env=child_env())
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    run = IndexRun(args[1:], proc)
    if check_sanitizer:
        bad = sanitizer_problems(run.stderr)
        if bad:
            raise AssertionError("iqn-index sanitizer report:\n%s\n%r" % ("\n".join(bad[:20]), run))
    return run


# ---- iqn-searchd -----------------------------------------------------------------------------

LISTEN_RE = re.compile(r"iqn-searchd: listening on http://([^/:\s]+|\[[^\]]+\]):(\d+)/")


def free_port():
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpServers:
    """Stock xapian-tcpsrv processes, each serving one database on loopback (remote shards)."""

    def __init__(self):
        self.procs = []

    def start(self, path, port):
        """Start one and wait until it accepts connections; RuntimeError if it does not within 30 s."""
        proc = subprocess.Popen(["xapian-tcpsrv", "--port", str(port), "--interface", "127.0.0.1", "--quiet", path],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)  # it signals its whole process group on exit
        self.procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return proc
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError("xapian-tcpsrv did not start on port %d for %s" % (port, path))

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                p.wait(10)
        self.procs = []


class Searchd:
    """A running iqn-searchd. start() waits for the listening line and /healthz; stop() sends
    SIGTERM and asserts a clean exit."""

    def __init__(self, db, *extra, web=None, threads=None):
        self.db = db
        self.extra = list(extra)
        self.web = web if web is not None else Config.web_dir()
        self.threads = threads
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self._stderr_file = None
        self._reader = None
        self._listening = threading.Event()

    def start(self):
        args = [Config.searchd, "--db", self.db, "--listen", "127.0.0.1:0", "--web", self.web,
                "--vocab", Config.vocab_dir(), "--quiet"]
        if self.threads:
            args += ["--threads", str(self.threads)]
        args += self.extra
        self._stderr_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr_file, env=child_env())
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        if not self._listening.wait(START_TIMEOUT):
            self._kill()
            raise AssertionError("iqn-searchd printed no listening line in %ss; stdout %r stderr %s" % (
                START_TIMEOUT, self.stdout_lines, self.stderr()))
        if self.port is None:
            self._kill()
            raise AssertionError("iqn-searchd exited before listening (rc %s); stdout %r stderr %s" % (
                self.proc.returncode, self.stdout_lines, self.stderr()))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                status, _, _ = self.request("GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self._kill()
                raise AssertionError("iqn-searchd /healthz never answered 200; stderr %s" % self.stderr())
            time.sleep(0.1)
        return self

    def _read_stdout(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.stdout_lines.append(line)
            m = LISTEN_RE.search(line)
            if m and self.port is None:
                self.port = int(m.group(2))
                self._listening.set()
        self._listening.set()  # EOF: the process is gone

    def stderr(self):
        if not self._stderr_file:
            return ""
        self._stderr_file.seek(0)
        return self._stderr_file.read().decode("utf-8", "replace")

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self):
        """SIGTERM; returns (returncode, stderr). Asserts exit 0 and no sanitizer report."""
        if not self.proc:
            return None, ""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill()
                raise AssertionError("iqn-searchd did not exit within %ss of SIGTERM; stderr %s" % (
                    START_TIMEOUT, self.stderr()[-4000:]))
        if self._reader:
            self._reader.join(5)
        rc = self.proc.returncode
        err = self.stderr()
        self._stderr_file.close()
        self._stderr_file = None
        self.proc = None
        bad = sanitizer_problems(err)
        if bad:
            raise AssertionError("iqn-searchd sanitizer report on stderr:\n%s" % "\n".join(bad[:40]))
        if rc != 0:
            raise AssertionError("iqn-searchd exited %s after SIGTERM (expected 0); stderr %s" % (rc, err[-4000:]))
        return rc, err

    # ---- HTTP ----

    def request(self, method, path, body=None, headers=None, timeout=60):
        """Send a request with path exactly as given; returns (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            return resp.status, hdrs, data
        finally:
            conn.close()

    def get(self, path, params=None):
        if params is not None:
            path = path + "?" + (params if isinstance(params, str) else urllib.parse.urlencode(params, doseq=True))
        return self.request("GET", path)

    def get_json(self, path, params=None):
        """GET and decode JSON; returns (status, object)."""
        status, hdrs, data = self.get(path, params)
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise AssertionError("%s %s: not JSON (%s): %r" % (status, path, e, data[:500]))
        return status, obj

    def search(self, params, expect=200):
        """GET /api/v1/search with params (list of pairs or dict); asserts the status."""
        status, obj = self.get_json("/api/v1/search", params)
        if status != expect:
            raise AssertionError("search %r: status %s (expected %s): %r" % (params, status, expect, obj))
        return obj

    def search_all(self, params, per_page=50):
        """Every hit of a search, following the pages."""
        params = [p for p in _pairs(params) if p[0] not in ("page", "per_page")]
        hits, page = [], 1
        while True:
            obj = self.search(params + [("page", str(page)), ("per_page", str(per_page))])
            hits += obj["hits"]
            if len(obj["hits"]) < per_page or len(hits) >= obj["total"]:
                return obj["total"], hits
            page += 1
            if page > 1000:
                raise AssertionError("too many pages")


def _pairs(params):
    if isinstance(params, dict):
        return list(params.items())
    return list(params)


# ---- temporary directories and indexes -------------------------------------------------------


def index_and_serve(cls, paths, *index_args, searchd_args=(), threads=None):
    """For setUpClass: index paths into a fresh temporary index and start iqn-searchd on it.
    Sets cls.tmp, cls.db, cls.index_run and cls.daemon; raises when indexing fails."""
    cls.tmp = TempDir()
    cls.db = cls.tmp.join("index")
    cls.index_run = run_index(cls.db, paths, *index_args)
    if cls.index_run.returncode != 0:
        raise AssertionError("indexing failed: %r" % cls.index_run)
    cls.daemon = Searchd(cls.db, *searchd_args, threads=threads).start()


def stop_and_clean(cls):
    """For tearDownClass: stop cls.daemon (asserting a clean exit) and remove cls.tmp."""
    try:
        if getattr(cls, "daemon", None):
            cls.daemon.stop()
    finally:
        if getattr(cls, "tmp", None):
            cls.tmp.close()


class TempDir:
    """A temporary directory removed at close()."""

    def __init__(self, prefix="iqn-it-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def join(self, *parts):
        return os.path.join(self.path, *parts)

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def gzip_file(src, dst):
    with open(src, "rb") as f, gzip.open(dst, "wb") as g:
        g.write(f.read())


# ---- an independent reading of the corpus ----------------------------------------------------

MULTI = ("province", "profession", "topic")
FACETS = ("province", "profession", "topic", "type", "lang")


def load_vocab():
    """{set: {code: (label_en, label_fr)}} read from corpus/vocab/*.tsv, in file order."""
    out = {}
    for name in FACETS + ("status",):
        entries = {}
        with open(os.path.join(Config.vocab_dir(), name + ".tsv"), encoding="utf-8") as f:
            for i, line in enumerate(f):
                line = line.rstrip("\r\n")
                if i == 0 or not line:
                    continue
                code, en, fr = line.split("\t")
                entries[code] = (en, fr)
        out[name] = entries
    return out


def canonical_code(vocab, facet, code):
    """The vocabulary's spelling of code (exact, else case-insensitive), or None."""
    code = code.strip()
    if code in vocab[facet]:
        return code
    for c in vocab[facet]:
        if c.lower() == code.lower():
            return c
    return None


def read_xml_records(path):
    """The records of one IQN XML file as dicts: multi fields are lists, others strings."""
    root = ET.parse(path).getroot()
    elems = [root] if root.tag == "record" else list(root.iter("record"))
    out = []
    for el in elems:
        rec = {k: [] for k in MULTI}
        for child in el:
            text = "".join(child.itertext())
            if child.tag in MULTI:
                rec[child.tag].append(text.strip())
            else:
                rec[child.tag] = text
        out.append(rec)
    return out


def corpus_files(directory):
    """Every file under directory, in the byte order iqn-index walks them."""
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                found.append(os.path.join(dirpath, name))
    return sorted(found, key=lambda p: os.fsencode(p))


def load_corpus(directory, vocab):
    """{id: record} of the XML corpus, codes canonicalised and de-duplicated; the last file wins
    for a repeated id."""
    records = {}
    for path in corpus_files(directory):
        if not (path.endswith(".xml") or path.endswith(".xml.gz")):
            continue
        for rec in read_xml_records(path):
            for facet in MULTI:
                codes = []
                for c in rec[facet]:
                    cc = canonical_code(vocab, facet, c)
                    if cc is None:
                        raise AssertionError("%s: record %s has unknown %s %r" % (path, rec.get("id"), facet, c))
                    if cc not in codes:
                        codes.append(cc)
                rec[facet] = codes
            for facet in ("type", "lang"):
                rec[facet] = canonical_code(vocab, facet, rec[facet])
            for field in ("id", "pair", "date"):
                if isinstance(rec.get(field), str):
                    rec[field] = rec[field].strip()
            records[rec["id"]] = rec
    return records


def facet_values(rec, facet):
    v = rec.get(facet)
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def date_key(date, upper=False):
    """The 8-digit sort key of an ISO date (YYYY, YYYY-MM, YYYY-MM-DD), like iqn_date_key."""
    date = date.strip()
    y = date[0:4]
    m = date[5:7] if len(date) >= 7 else ("99" if upper else "00")
    d = date[8:10] if len(date) >= 10 else ("99" if upper else "00")
    return y + m + d


def matches(rec, filters, date_from=None, date_to=None, skip=None):
    """Does rec pass filters ({facet: set of codes}; OR within, AND across), leaving out facet skip,
    and the date range (ISO strings; a record without a date fails any range)?"""
    for facet, codes in filters.items():
        if facet == skip or not codes:
            continue
        if not set(facet_values(rec, facet)) & set(codes):
            return False
    if date_from or date_to:
        date = rec.get("date", "").strip()
        if not date:
            return False
        key = date_key(date)
        if date_from and key < date_key(date_from):
            return False
        if date_to and key > date_key(date_to, upper=True):
            return False
    return True


def partner(records, rec):
    """rec's translation as iqn-index pairs them: the record its `pair` names, naming rec back, in
    the other language; or None."""
    pid = (rec.get("pair") or "").strip()
    if not pid or pid == rec["id"] or pid not in records:
        return None
    p = records[pid]
    if (p.get("pair") or "").strip() != rec["id"] or p.get("lang") == rec.get("lang"):
        return None
    return p


def hidden_ids(records, ui_lang, filters):
    """Records a search leaves out: with no lang filter, a paired record in the other language
    than ui_lang is shown through its translation (db.h: no_collapse)."""
    if filters.get("lang"):
        return set()
    return {rid for rid, r in records.items() if r.get("lang") != ui_lang and partner(records, r) is not None}


def visible_count(records, ui_lang="en"):
    return len(records) - len(hidden_ids(records, ui_lang, {}))


def expected_counts(records, filters, date_from=None, date_to=None, ui_lang="en"):
    """(total, {facet: {code: count}}) as the API should give them: disjunctive counts, selected
    values included, pairs collapsed to ui_lang when no language is selected (the lang facet is
    counted without the collapse, so that its counts say what choosing a language gives)."""
    hidden = hidden_ids(records, ui_lang, filters)
    total = sum(1 for rid, r in records.items() if rid not in hidden and matches(r, filters, date_from, date_to))
    facets = {}
    for facet in FACETS:
        counts = {}
        for rid, r in records.items():
            if facet != "lang" and rid in hidden:
                continue
            if matches(r, filters, date_from, date_to, skip=facet):
                for code in facet_values(r, facet):
                    counts[code] = counts.get(code, 0) + 1
        for code in filters.get(facet, ()):
            counts.setdefault(code, 0)
        facets[facet] = counts
    return total, facets


# ---- text --------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "summary", "body", "organization", "author", "contact", "results", "lessons")
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "‘": "'"}


def fold(text):
    """Lower-case, accents removed, ligatures split: roughly iqn_text_fold(lower=1)."""
    for k, v in _LIGATURES.items():
        text = text.replace(k, v)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


def words(text):
    """Folded words of text, with French elisions (l', d', qu' ...) removed."""
    out = []
    for w in re.findall(r"[^\W_]+(?:'[^\W_]+)*", fold(text)):
        m = re.match(r"^(?:l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu|quoiqu|presqu)'(?=[^\W\d_])", w)
        if m:
            w = w[m.end():]
        out.append(w)
    return out


_STEMMERS = {}


def stem(word, lang="en"):
    """word's Snowball stem ("english" or "french"), as the index holds it: through Debian's
    libstemmer (package libstemmer0d), the same Snowball algorithms Xapian embeds."""
    import ctypes
    lib = _STEMMERS.get("lib")
    if lib is None:
        lib = ctypes.CDLL("libstemmer.so.0d")
        lib.sb_stemmer_new.restype = ctypes.c_void_p
        lib.sb_stemmer_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.sb_stemmer_stem.restype = ctypes.POINTER(ctypes.c_char)
        lib.sb_stemmer_stem.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.sb_stemmer_length.argtypes = [ctypes.c_void_p]
        _STEMMERS["lib"] = lib
    name = "french" if lang == "fr" else "english"
    if name not in _STEMMERS:
        _STEMMERS[name] = lib.sb_stemmer_new(name.encode(), b"UTF_8")
    st = _STEMMERS[name]
    b = word.encode()
    out = lib.sb_stemmer_stem(st, b, len(b))
    return ctypes.string_at(out, lib.sb_stemmer_length(st)).decode()


def record_words(rec, fields=TEXT_FIELDS, records=None):
    """The folded words of rec's text fields, and of its translation's when records is given and
    rec is paired (a paired record's document carries its translation's text)."""
    recs = [rec]
    if records is not None:
        p = partner(records, rec)
        if p is not None:
            recs.append(p)
    ws = set()
    for r in recs:
        for f in fields:
            v = r.get(f)
            if isinstance(v, str):
                ws.update(words(v))
    return ws


def label_words(vocab):
    """Every folded word of every vocabulary label, both languages (records may be indexed under
    the labels of their codes)."""
    ws = set()
    for entries in vocab.values():
        for en, fr in entries.values():
            ws.update(words(en))
            ws.update(words(fr))
    return ws


# ---- running the tests -----------------------------------------------------------------------


def parse_args():
    """Read --index/--searchd/--source/--gen into Config; return the remaining argv."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--index")
    p.add_argument("--searchd")
    p.add_argument("--source")
    p.add_argument("--gen")
    known, rest = p.parse_known_args()
    if known.index:
        Config.index = known.index
    if known.searchd:
        Config.searchd = known.searchd
    if known.source:
        Config.source = known.source
    if known.gen:
        Config.gen = known.gen
    return rest


def main():
    """Run the tests of the __main__ module; print "N passed, N failed"; exit non-zero on failure."""
    rest = parse_args()
    for name, path in (("--index", Config.index), ("--searchd", Config.searchd)):
        if not path or not os.access(path, os.X_OK):
            print("harness: %s %r is not an executable" % (name, path))
            print("0 passed, 1 failed")
            sys.exit(2)
    loader = unittest.TestLoader()
    module = sys.modules["__main__"]
    if rest:
        suite = loader.loadTestsFromNames(rest, module)
    else:
        suite = loader.loadTestsFromModule(module)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    sys.exit(0 if failed == 0 and passed > 0 else 1)
