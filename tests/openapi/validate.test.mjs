// validate.test.mjs - docs/openapi.yaml is a valid OpenAPI 3.1 document (checked with
// @seriousme/openapi-schema-validator), and real responses of a running iqn-searchd, for every
// endpoint and its documented errors, match it: each status is documented for its operation, each
// Content-Type is documented for that status, and each JSON body (each line of a JSON Lines
// export) validates against the documented schema (Ajv, JSON Schema 2020-12).
//
// Run: node --test validate.test.mjs, with IQN_SEARCHD, IQN_INDEX and IQN_SOURCE in the environment
// (ctest sets them; ./iqn test runs `npm ci` here first).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const SOURCE = process.env.IQN_SOURCE || new URL("../..", import.meta.url).pathname;
const SEARCHD = process.env.IQN_SEARCHD;
const INDEX = process.env.IQN_INDEX;
const SPEC_PATH = join(SOURCE, "docs", "openapi.yaml");
const spec = YAML.parse(readFileSync(SPEC_PATH, "utf8"));

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(spec, "openapi.json");

let tmp;
let daemons = [];
let keys = {};
const seen = new Map(); // "METHOD path status" checked, for the coverage test

function pointer(parts) {
  return "#/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** Follow a local $ref of an OpenAPI object (responses), returning [object, path parts]. */
function deref(obj, parts) {
  while (obj && obj.$ref) {
    parts = obj.$ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    obj = parts.reduce((o, k) => o[k], spec);
  }
  return [obj, parts];
}

/** The spec's path template matching a concrete path, or null. */
function templateOf(path) {
  for (const tpl of Object.keys(spec.paths)) {
    const re = new RegExp("^" + tpl.replace(/\{[^}]+\}/g, "[^/]+") + "$");
    if (re.test(path)) return tpl;
  }
  return null;
}

function validateBody(schemaParts, value, what) {
  const validate = ajv.getSchema("openapi.json" + pointer(schemaParts));
  assert.ok(validate, `${what}: no schema at ${pointer(schemaParts)}`);
  const ok = validate(value);
  assert.ok(ok, `${what}: body does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 800)}`);
}

/** Send a request and check its response against the spec. Returns {status, headers, text, json}. */
async function check(method, url, { headers = {}, body, port = daemons[0].port, expect } = {}) {
  const u = new URL(url, `http://127.0.0.1:${port}`);
  const res = await fetch(u, { method, headers, body, redirect: "manual" });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString("utf8");
  const what = `${method} ${u.pathname}${u.search} -> ${res.status}`;
  if (expect !== undefined) assert.equal(res.status, expect, `${what}: ${text.slice(0, 300)}`);
  const tpl = templateOf(u.pathname);
  assert.ok(tpl, `${what}: path not in the spec`);
  const opParts = ["paths", tpl, method.toLowerCase()];
  const op = spec.paths[tpl][method.toLowerCase()];
  assert.ok(op, `${what}: method not in the spec`);
  const status = String(res.status);
  assert.ok(op.responses[status], `${what}: status ${status} is not documented for this operation`);
  const [resp, respParts] = deref(op.responses[status], [...opParts, "responses", status]);
  seen.set(`${method} ${tpl} ${status}`, true);
  const type = (res.headers.get("content-type") || "").split(";")[0].trim();
  assert.ok(res.headers.get("x-request-id"), `${what}: no X-Request-Id`);
  if (!resp.content) {
    assert.equal(buf.length, 0, `${what}: a body where the spec has none`);
    return { status: res.status, headers: res.headers, text };
  }
  assert.ok(resp.content[type], `${what}: Content-Type ${type} not documented (${Object.keys(resp.content)})`);
  const schemaParts = [...respParts, "content", type, "schema"];
  let json;
  if (type === "application/json") {
    json = JSON.parse(text);
    validateBody(schemaParts, json, what);
  } else if (type === "application/x-ndjson") {
    for (const line of text.split("\n").filter(Boolean)) validateBody(["components", "schemas", "Hit"], JSON.parse(line), what);
  } else {
    validateBody(schemaParts, text, what);
  }
  return { status: res.status, headers: res.headers, text, json };
}

function startDaemon(extra) {
  return new Promise((resolve, reject) => {
    const args = ["--db", join(tmp, "index"), "--listen", "127.0.0.1:0", "--web", join(SOURCE, "web"),
      "--vocab", join(SOURCE, "corpus", "vocab"), "--quiet", "--keys-file", join(tmp, "keys"), ...extra];
    const proc = spawn(SEARCHD, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => { stderr += d; });
    const d = { proc, port: 0, stderr: () => stderr };
    const timer = setTimeout(() => reject(new Error("iqn-searchd did not start: " + stderr)), 60000);
    proc.stdout.on("data", (chunk) => {
      const m = /listening on http:\/\/[^:]+:(\d+)\//.exec(String(chunk));
      if (m && !d.port) {
        d.port = Number(m[1]);
        clearTimeout(timer);
        resolve(d);
      }
    });
    proc.on("exit", (code) => { if (!d.port) { clearTimeout(timer); reject(new Error(`iqn-searchd exited ${code}: ${stderr}`)); } });
  });
}

function stopDaemon(d) {
  return new Promise((resolve) => {
    if (d.proc.exitCode !== null) return resolve(d.proc.exitCode);
    d.proc.on("exit", (code) => resolve(code));
    d.proc.kill("SIGTERM");
  });
}

before(async () => {
  assert.ok(SEARCHD && INDEX, "set IQN_SEARCHD and IQN_INDEX (ctest does)");
  tmp = mkdtempSync(join(tmpdir(), "iqn-openapi-"));
  const fixtures = ["good.xml", "snippet.jsonl"].map((f) => join(SOURCE, "tests", "fixtures", f));
  const run = spawnSync(INDEX, ["--db", join(tmp, "index"), "--vocab", join(SOURCE, "corpus", "vocab"), ...fixtures]);
  assert.equal(run.status, 0, String(run.stderr));
  for (const scope of ["read", "write"]) {
    const k = spawnSync(SEARCHD, ["keys", "create", "--name", "openapi " + scope, "--scope", scope, "--keys", join(tmp, "keys")]);
    assert.equal(k.status, 0, String(k.stderr));
    keys[scope] = String(k.stdout).trim();
  }
  daemons.push(await startDaemon(["--max-body", "64k"]));
  daemons.push(await startDaemon(["--rate-exempt", "", "--anon-rate", "1", "--anon-burst", "1"]));
});

after(async () => {
  for (const d of daemons) {
    const code = await stopDaemon(d);
    assert.equal(code, 0, "iqn-searchd exit status after SIGTERM: " + d.stderr());
    assert.ok(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(d.stderr()), "sanitizer report: " + d.stderr());
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const auth = (scope) => ({ Authorization: "Bearer " + keys[scope] });

test("docs/openapi.yaml is a valid OpenAPI 3.1 document", async () => {
  const validator = new Validator();
  const res = await validator.validate(spec);
  assert.ok(res.valid, JSON.stringify(res.errors, null, 2));
  assert.equal(validator.version, "3.1");
});

test("search: pages, cursors, facets, exports and errors match the spec", async () => {
  const r = await check("GET", "/api/v1/search?q=echidnafixture&lang=en&lang=fr&per_page=1", { expect: 200 });
  assert.ok(r.json.next_cursor);
  await check("GET", `/api/v1/search?q=echidnafixture&lang=en&lang=fr&per_page=1&cursor=${r.json.next_cursor}`, { expect: 200 });
  await check("GET", "/api/v1/search?province=AB&topic=credential-assessment&sort=-date&ui_lang=fr", { expect: 200 });
  await check("GET", "/api/v1/search?q=credentail", { expect: 200 });
  await check("GET", "/api/v1/search?format=jsonl", { expect: 200 });
  await check("GET", "/api/v1/search?format=csv", { expect: 200 });
  await check("GET", "/api/v1/search?format=jsonl", { expect: 200, headers: { "Accept-Encoding": "gzip" } });
  const tagged = await check("GET", "/api/v1/search?q=report", { expect: 200 });
  await check("GET", "/api/v1/search?q=report", { expect: 304, headers: { "If-None-Match": tagged.headers.get("etag") } });
  for (const bad of ["page=0", "province=ZZ", "cursor=nope", "colour=red", "q=%FF", "page=102&per_page=100"]) {
    await check("GET", "/api/v1/search?" + bad, { expect: 400 });
  }
  await check("GET", "/api/v1/search", { expect: 401, headers: { Authorization: "Bearer wrong" } });
});

test("documents, similar, suggest, facets, healthz and metrics match the spec", async () => {
  await check("GET", "/api/v1/documents/fixture-xml-1", { expect: 200 });
  await check("GET", "/api/v1/documents/fixture-xml-2?ui_lang=fr", { expect: 200 });
  await check("GET", "/api/v1/documents/no-such-record", { expect: 404 });
  await check("GET", "/api/v1/documents/bad!id", { expect: 400 });
  await check("GET", "/api/v1/documents/fixture-xml-1/similar", { expect: 200 });
  await check("GET", "/api/v1/documents/no-such-record/similar", { expect: 404 });
  await check("GET", "/api/v1/suggest?q=cre", { expect: 200 });
  await check("GET", "/api/v1/suggest?q=cre&ui_lang=de", { expect: 400 });
  await check("GET", "/api/v1/facets?ui_lang=fr", { expect: 200 });
  await check("GET", "/healthz", { expect: 200 });
  await check("GET", "/metrics", { expect: 200 });
});

test("the write API matches the spec", async () => {
  const nd = { "Content-Type": "application/x-ndjson" };
  const good = '{"id":"oa-1","type":"report","lang":"en","title":"OpenAPI check"}\n';
  await check("POST", "/api/v1/documents", { expect: 200, headers: { ...nd, ...auth("write") }, body: good + '{"id":"oa-2"}\n' });
  await check("POST", "/api/v1/documents", { expect: 422, headers: { ...nd, ...auth("write") }, body: "not json\n" });
  await check("POST", "/api/v1/documents", {
    expect: 200, headers: { "Content-Type": "application/xml", "Content-Encoding": "gzip", ...auth("write") },
    body: gzipSync("<record><id>oa-3</id><type>report</type><lang>fr</lang><title>t</title></record>"),
  });
  await check("POST", "/api/v1/documents", { expect: 400, headers: { ...nd, ...auth("write") }, body: "\n" });
  await check("POST", "/api/v1/documents", { expect: 401, headers: nd, body: good });
  await check("POST", "/api/v1/documents", { expect: 403, headers: { ...nd, ...auth("read") }, body: good });
  await check("POST", "/api/v1/documents", { expect: 413, headers: { ...nd, ...auth("write") }, body: good.repeat(2000) });
  await check("POST", "/api/v1/documents", { expect: 415, headers: { "Content-Type": "text/plain", ...auth("write") }, body: good });
  await check("DELETE", "/api/v1/documents/oa-1", { expect: 200, headers: auth("write") });
  await check("DELETE", "/api/v1/documents/oa-1", { expect: 404, headers: auth("write") });
  await check("DELETE", "/api/v1/documents/oa-3", { expect: 403, headers: auth("read") });
});

test("rate limiting (429) matches the spec", async () => {
  const port = daemons[1].port;
  let limited;
  for (let i = 0; i < 5 && !limited; i++) {
    const r = await check("GET", "/api/v1/facets", { port });
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, "no 429 from a daemon limited to 1 request a second");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
});

test("every documented path was exercised", () => {
  for (const [tpl, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item).filter((k) => ["get", "post", "delete"].includes(k))) {
      const any = [...seen.keys()].some((k) => k.startsWith(`${method.toUpperCase()} ${tpl} `));
      assert.ok(any, `${method.toUpperCase()} ${tpl} never checked against a real response`);
    }
  }
});
