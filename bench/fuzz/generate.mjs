// Hostile requests generated from an OpenAPI document, and the judge of their answers. Shared by
// bench/fuzz/run.mjs (over HTTP, against a running `hellio start`) and the suite's
// test/http/fuzz.test.ts (app.inject): no I/O here, only a seeded generator and pure checks.

/** A small seeded PRNG (mulberry32), so that a run can be repeated exactly with its seed. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

const REF = '#/components/schemas/';

/** The operations of an OpenAPI document: method, path template, parameters, JSON body schema, auth. */
export function operations(spec) {
  const resolve = (s, depth = 0) => {
    if (!s || typeof s !== 'object' || depth > 20) return s;
    if (typeof s.$ref === 'string' && s.$ref.startsWith(REF)) return resolve(spec.components?.schemas?.[s.$ref.slice(REF.length)], depth + 1);
    return s;
  };
  const ops = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const security = (op.security ?? []).flatMap((s) => Object.keys(s));
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p) => ({ in: p.in, name: p.name, required: p.required === true, schema: resolve(p.schema) ?? {} })),
        body: resolve(op.requestBody?.content?.['application/json']?.schema) ?? null,
        bodyRequired: op.requestBody?.required === true,
        auth: security.includes('apiKey') ? 'key' : security.includes('session') ? 'session' : 'none',
        resolve,
      });
    }
  }
  return ops;
}

// Values that have broken parsers, coercers and databases somewhere.
const HUGE = 'A'.repeat(100_000);
const HOSTILE_VALUES = [
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  1e308,
  -1e308,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER * 1000,
  '0',
  '123',
  '6e2',
  '-1',
  '1e999',
  'true',
  'null',
  'NaN',
  'Infinity',
  '',
  ' ',
  '\u0000',
  '\u0000abc',
  'a\nb\r\nc',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '😀'.repeat(500),
  'ǅ̸̨̛̤͉̳͙̤̫̹̈́̀̾͛̾̎͆͝'.repeat(50),
  HUGE,
  '<script>alert(1)</script>',
  "'; drop table messages; --",
  '%s%s%n%x',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'acc_00000000000000000000',
  '+14155550100',
  '+1415555010000000000000000',
  'fuzz@example.com',
  '2026-13-45T25:61:61Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  null,
  {},
  { a: { b: { c: { d: [] } } } },
  { __proto__: { polluted: true } },
  [],
  [1, 'a', null, {}],
  Array.from({ length: 2_000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
];

const TEXTUAL = [
  '',
  'x',
  '0',
  '-1',
  '1e999',
  'true',
  '%ff',
  '%',
  '%00',
  '%2e%2e%2f%2e%2e%2f',
  '..',
  '😀',
  '%E2%80%AE',
  'a'.repeat(200),
  'a'.repeat(5_000),
  'msg_' + 'x'.repeat(120),
  "'%20or%201=1--",
  '[object%20Object]',
];

/** A plausible value for a schema (the starting point mutations break). */
export function sample(schema, resolve, name = '', depth = 0) {
  const s = resolve(schema) ?? {};
  if (depth > 6) return null;
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt[0], resolve, name, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x) => sample(x, resolve, name, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const o = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) if ((s.required ?? []).includes(k)) o[k] = sample(v, resolve, k, depth + 1);
      return o;
    }
    case 'array':
      return [sample(s.items ?? {}, resolve, name, depth + 1)];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
    default:
      if (s.format === 'email' || /email/.test(name)) return 'fuzz@example.com';
      if (/^(to|phone|number|destination)$/.test(name)) return '+14155550100';
      if (name === 'from') return 'HELLIO';
      if (/url/.test(name)) return 'https://example.com/hook';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
  }
}

const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** A copy of `obj` with the value at a random key (top level, or one level down) replaced by `mk(old)`. */
function mutateField(r, obj, mk) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return mk(obj);
  const o = clone(obj);
  const keys = Object.keys(o);
  if (keys.length === 0) {
    o[r.pick(['to', 'message', 'id', 'x'])] = mk(undefined);
    return o;
  }
  const k = r.pick(keys);
  if (o[k] && typeof o[k] === 'object' && !Array.isArray(o[k]) && r.chance(0.3)) o[k] = mutateField(r, o[k], mk);
  else o[k] = mk(o[k]);
  return o;
}

/** A number as a string, a string as a number, a boolean as either: the coercions a strict API refuses. */
function swapType(v) {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 1 : 'true';
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v.length ? 12345 : false;
  if (Array.isArray(v)) return v[0] ?? 'x';
  if (v && typeof v === 'object') return JSON.stringify(v);
  return 'null';
}

/** A JSON document `depth` levels deep. */
const deep = (depth) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * The body mutations: each answers { body (string | Buffer | undefined), contentType, label }.
 * Most are one field broken in an otherwise plausible body, so that validation, not just the
 * parser, is exercised.
 */
function bodyMutation(r, op, base) {
  const json = (v, label) => ({ body: JSON.stringify(v), contentType: 'application/json', label });
  const which = r.int(20);
  switch (which) {
    case 0:
    case 1:
    case 2:
    case 3:
      return json(
        mutateField(r, base, () => r.pick(HOSTILE_VALUES)),
        'field:hostile',
      );
    case 4:
    case 5:
      return json(mutateField(r, base, swapType), 'field:type-swap');
    case 6: {
      if (!base || typeof base !== 'object' || Array.isArray(base)) return json(base, 'plausible');
      const o = clone(base);
      const keys = Object.keys(o);
      if (keys.length) delete o[r.pick(keys)];
      return json(o, 'field:missing');
    }
    case 7: {
      const o = base && typeof base === 'object' && !Array.isArray(base) ? clone(base) : {};
      o[r.pick(['extra', '__proto__', 'constructor', 'account_id', 'id', 'price', 'status', 'x'.repeat(300)])] = r.pick(HOSTILE_VALUES);
      return json(o, 'field:extra');
    }
    case 8:
      return json(r.pick([null, [], [base], 'string', 42, true, {}]), 'body:wrong-shape');
    case 9:
      return { body: r.pick(['{', '{"to":', '{"a":1,}', "{'a':1}", '[1,2', 'nul', '{"a":1}{"b":2}', '\u0000', '{"a":"\\x"}', '{"a":"\\ud800"}', '1e99999', '']), contentType: 'application/json', label: 'body:bad-json' };
    case 10: {
      // Invalid UTF-8 inside a string of an otherwise valid document.
      const text = JSON.stringify(mutateField(r, base, () => 'MARK'));
      const [pre, post] = text.split('MARK');
      const bad = r.pick([Buffer.from([0xff]), Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from([0xe2, 0x82])]);
      return { body: Buffer.concat([Buffer.from(pre ?? ''), bad, Buffer.from(post ?? '')]), contentType: 'application/json', label: 'body:invalid-utf8' };
    }
    case 11:
      return { body: deep(r.pick([100, 1_000, 20_000])), contentType: 'application/json', label: 'body:deep-nesting' };
    case 12:
      return json(mutateField(r, base, () => deepObject(r.pick([50, 500]))), 'field:deep-object');
    case 13:
      return {
        body: JSON.stringify(base),
        contentType: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'application/jsonx', '*/*', 'application/json, text/plain', '']),
        label: 'content-type',
      };
    case 14:
      return { body: JSON.stringify(base), contentType: undefined, label: 'content-type:none' };
    case 15:
      return json(mutateField(r, base, () => r.pick([-1, -1e9, 0, 1e15, 2 ** 63, 1e308, -0.0001, 3.14159])), 'field:number-range');
    case 16:
      return json(mutateField(r, base, () => r.pick(['😀', '\u0000', '\ud83d', 'é'.normalize('NFD'), 'ß', '\u200b', '\ufeff', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'].join('').repeat(r.pick([1, 10, 400])))), 'field:unicode');
    case 17:
      return json(
        mutateField(r, base, () => 'x'.repeat(r.pick([129, 1_601, 10_000, 300_000]))),
        'field:long',
      );
    case 18: {
      // Duplicate keys: which one wins is the parser's choice; the answer must still be sane.
      const text = JSON.stringify(base ?? {});
      const k = base && typeof base === 'object' ? Object.keys(base)[0] : undefined;
      return { body: k ? text.replace(/}$/, `,${JSON.stringify(k)}:${JSON.stringify(r.pick(HOSTILE_VALUES))}}`) : text, contentType: 'application/json', label: 'body:duplicate-key' };
    }
    default:
      return json(base, 'plausible');
  }
}

function deepObject(depth) {
  let o = { leaf: true };
  for (let i = 0; i < depth; i++) o = { n: o };
  return o;
}

/** A value for a path parameter: garbage, another account's id, or one of ours. */
function pathValue(r, name, ids) {
  const roll = r.int(10);
  if (roll < 3 && ids.other.length) return encodeURIComponent(r.pick(ids.other));
  if (roll < 5 && ids.own.length) return encodeURIComponent(name === 'account_id' ? ids.accountId : r.pick(ids.own));
  if (roll < 6 && name === 'account_id' && ids.otherAccountId) return ids.otherAccountId;
  const t = r.pick(TEXTUAL);
  return t === '' ? 'x' : t;
}

/** A query string of the operation's parameters, some broken, sometimes unknown or repeated ones. */
function query(r, op, mutate) {
  const parts = [];
  for (const p of op.params.filter((x) => x.in === 'query')) {
    if (!mutate && !p.required) continue;
    if (mutate && !p.required && r.chance(0.5)) continue;
    const v = mutate ? r.pick([...TEXTUAL, '-5', '0', '101', '1.5', '9'.repeat(40), 'sms', 'true', '2026-01-01']) : String(sample(p.schema, op.resolve, p.name));
    parts.push(`${encodeURIComponent(p.name)}=${v}`);
    if (mutate && r.chance(0.1)) parts.push(`${encodeURIComponent(p.name)}=${v}`);
  }
  if (mutate && r.chance(0.15)) parts.push(`unknown_${r.int(9)}=${r.pick(TEXTUAL)}`);
  if (mutate && r.chance(0.03)) parts.push(`q=${'y'.repeat(r.pick([9_000, 70_000]))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The next hostile request for `op`. `auth` holds the valid headers of each kind (key, a
 * member's session, an operator's session) and another account's key; `ids` the ids seen (own and another account's). Answers
 * { method, url, headers, body, label, authKind, expectError } — expectError when the request is
 * certainly wrong (no or bad credentials, a garbage id, a broken body), so a 2xx is worth a look.
 */
export function hostileRequest(r, op, auth, ids) {
  const headers = {};
  let authKind;
  const a = r.int(10);
  if (op.auth === 'none') authKind = 'none';
  else if (a < 6) authKind = 'valid';
  else if (a < 7) authKind = 'none';
  else if (a < 8) authKind = 'bad';
  else if (a < 9 && op.auth === 'key' && auth.otherKey) authKind = 'other-account';
  else authKind = 'valid';
  if (authKind === 'valid' && !safeWithValidAuth(op)) authKind = 'none';
  // Operator routes get the operator's session; the rest an ordinary member's, for whom another
  // account's resources must stay out of reach (an operator may read every account).
  if (authKind === 'valid') Object.assign(headers, op.auth === 'key' ? auth.key : op.path.startsWith('/admin/') ? auth.operator : auth.session);
  else if (authKind === 'other-account') Object.assign(headers, auth.otherKey);
  else if (authKind === 'bad') {
    const bad = r.pick([
      { authorization: 'Bearer ' },
      { authorization: 'Bearer cs_live_nope' },
      { authorization: `Bearer ${'k'.repeat(5_000)}` },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: 'Bearer cs_\u00ff\u00fe' },
      { authorization: `${(auth.key?.authorization ?? 'Bearer x').slice(0, -1)}Z` },
      { cookie: 'hellio_session=forged; other=1' },
      { cookie: `hellio_session=${'s'.repeat(4_000)}` },
      { ...(auth.session ?? {}), 'x-csrf-token': 'wrong' },
    ]);
    Object.assign(headers, bad);
  }

  // The path: every parameter filled, plausibly or not.
  let mutatedPath = false;
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name) => {
    const v = pathValue(r, name, ids);
    if (v !== encodeURIComponent(ids.accountId ?? '') && !ids.own.map(encodeURIComponent).includes(v)) mutatedPath = true;
    return v;
  });
  const mutateQuery = r.chance(0.6);
  const url = path + query(r, op, mutateQuery);

  let method = op.method;
  let label = 'plausible';
  let body;
  let wrongMethod = false;
  if (r.chance(0.04)) {
    method = r.pick(['PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'OPTIONS'].filter((m) => m !== op.method));
    wrongMethod = true;
    label = 'method:wrong';
  }
  if (op.body && !['GET', 'DELETE', 'OPTIONS'].includes(method)) {
    const base = sample(op.body, op.resolve);
    const m = bodyMutation(r, op, base);
    body = m.body;
    label = wrongMethod ? label : m.label;
    if (m.contentType !== undefined) headers['content-type'] = m.contentType;
  } else if (method !== 'GET' && r.chance(0.3)) {
    body = r.pick(['{"unexpected":true}', '{', 'plain']);
    headers['content-type'] = r.pick(['application/json', 'text/plain']);
    label = 'body:unexpected';
  }
  if (method === 'POST' && r.chance(0.3)) headers['idempotency-key'] = r.pick([`fuzz-${r.int(1e9)}`, '', ' ', 'k'.repeat(300), '\u00ff', 'fuzz-fixed']);
  const expectError = authKind === 'none' || authKind === 'bad' || wrongMethod || (label !== 'plausible' && label !== 'field:missing' && label !== 'field:number-range');
  return { method, url, headers, body, label, authKind, mutatedPath, expectError };
}

/**
 * Judges one answer: { fiveXX, nonSpec, why }. Every 4xx/5xx must carry the SPEC error body —
 * a JSON object with string `code`, `message` and `detail`, and `errors` (when present) an array
 * of { field, message } — and every answer an X-Request-Id.
 */
export function judge(status, headers, bodyText) {
  const out = { fiveXX: status >= 500, shed: false, nonSpec: false, why: null };
  const rid = headers['x-request-id'];
  if (!rid) {
    out.nonSpec = true;
    out.why = 'no X-Request-Id';
  }
  if (status >= 400) {
    let b;
    try {
      b = JSON.parse(bodyText);
    } catch {
      out.nonSpec = true;
      out.why = 'error body is not JSON';
      return out;
    }
    const okErrors = b?.errors === undefined || (Array.isArray(b.errors) && b.errors.every((e) => e && typeof e.field === 'string' && typeof e.message === 'string'));
    if (!b || typeof b !== 'object' || typeof b.code !== 'string' || typeof b.message !== 'string' || typeof b.detail !== 'string' || !okErrors) {
      out.nonSpec = true;
      out.why = 'error body is not {code, message, detail[, errors]}';
    } else if (status === 503 && b.code === 'overloaded' && /^\d+$/.test(String(headers['retry-after'] ?? ''))) {
      // Load shedding, as designed: the server refused work it could not start in time and said
      // when to come back. Counted apart from the 5xx that are faults, and still reported.
      out.fiveXX = false;
      out.shed = true;
    }
  }
  return out;
}

/** A short, bounded rendering of a request for the report's examples. */
export function describeRequest(q, status, why) {
  const body = q.body === undefined ? '' : Buffer.isBuffer(q.body) ? `<${q.body.length} bytes, invalid UTF-8>` : String(q.body);
  return { status, why, method: q.method, url: q.url.length > 160 ? `${q.url.slice(0, 160)}…(${q.url.length})` : q.url, label: q.label, auth: q.authKind, body: body.length > 200 ? `${body.slice(0, 200)}…(${body.length})` : body };
}

/** Operations a fuzzer must not call with valid credentials: they would end its own session or strip its rights. */
export const SELF_HARM = [/^POST \/auth\/(logout|sessions\/revoke-all|password|totp\/)/, /^DELETE \/auth\/sessions\//, /^POST \/admin\/accounts\/\{id\}\/suspend$/, /^POST \/admin\/users\/\{id\}\/operator$/, /^POST \/accounts\/\{account_id\}\/keys\/\{id\}\/(revoke|rotate)$/, /^PATCH \/accounts\/\{account_id\}$/, /^(PATCH|DELETE) \/accounts\/\{account_id\}\/members\//, /^POST \/accounts\/\{account_id\}\/allowlist$/];

/** Whether `op` may be fuzzed with valid credentials. */
export const safeWithValidAuth = (op) => !SELF_HARM.some((re) => re.test(`${op.method} ${op.path}`));
