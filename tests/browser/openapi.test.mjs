// Conformance of the API to its own OpenAPI 3.1 document: every public GET
// operation is called with real parameter values taken from the list
// endpoints, every change (tag `editing`) is made with a personal access token
// created through the personal area, and every answer (200, 400, 401, 403,
// 404, 409, 422) is validated against the schema the document declares for it
// (JSON Schema 2020-12, with Ajv).

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { url, fetchJson } from './support/common.mjs';
import { createToken, signIn } from './support/tokens.mjs';

// No test may hang the run: node:test has no default timeout.
const T = { timeout: 60_000 };

const DOC_ID = 'https://agio.invalid/api/v1/openapi.json';

const REQUIRED_ROUTES = [
  '/api/v1/territories',
  '/api/v1/agendas',
  '/api/v1/objectives',
  '/api/v1/actions',
  '/api/v1/organizations',
  '/api/v1/assets',
  '/api/v1/vocabularies',
];

let doc;
let ajv;
/** path template -> public GET operation (no token needed) */
const operations = new Map();
/** "METHOD template" -> operation needing a token */
const secured = new Map();
/** real values for path parameters, filled from the list endpoints */
const samples = {};

/** Fetch every item of a list endpoint, page by page. */
async function listAll(path) {
  const items = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const { res, body } = await fetchJson(`${path}${sep}page=${page}&per_page=100`);
    assert.equal(res.status, 200, `${path} page ${page}`);
    items.push(...body.items);
    if (page >= body.total_pages) break;
  }
  return items;
}

/** Rewrite document-local $refs ("#/components/...") so that they point into the document added to Ajv. */
function absolutize(schema) {
  if (Array.isArray(schema)) return schema.map(absolutize);
  if (schema && typeof schema === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? DOC_ID + v : absolutize(v);
    }
    return out;
  }
  return schema;
}

const validators = new Map();
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(absolutize(schema)));
  return validators.get(key);
}

function responseSpec(op, status) {
  const r = op.responses?.[String(status)];
  assert.ok(r, `the document declares no ${status} response for ${op.operationId}`);
  const content = r.content ?? {};
  return content;
}

/**
 * Check an answer against the document: status, content type, schema.
 * Returns the parsed body.
 */
async function callAndValidate(template, path, expectedStatus = 200) {
  const op = operations.get(template);
  assert.ok(op, `no GET operation for ${template}`);
  const { res, body, text } = await fetchJson(path);
  assert.equal(res.status, expectedStatus, `GET ${path}: status (body: ${text.slice(0, 300)})`);
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const content = responseSpec(op, expectedStatus);
  assert.ok(
    content[contentType],
    `GET ${path}: content-type ${contentType} is not among the documented ${Object.keys(content).join(', ')} for ${expectedStatus}`,
  );
  assert.ok(body !== undefined, `GET ${path}: body is not JSON: ${text.slice(0, 200)}`);
  const validate = validatorFor(content[contentType].schema);
  const ok = validate(body);
  assert.ok(
    ok,
    `GET ${path}: the ${expectedStatus} body does not match its schema:\n${ajv.errorsText(validate.errors, {
      separator: '\n',
    })}`,
  );
  answered.push({ path, schema: content[contentType].schema, body });
  return { res, body };
}

/** Every answer validated so far, for the undocumented-field check. */
const answered = [];

/** Follow a document-local $ref ("#/components/schemas/X"). */
function deref(schema) {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 20; i++) {
    assert.ok(s.$ref.startsWith('#/'), `external $ref ${s.$ref}`);
    s = s.$ref
      .slice(2)
      .split('/')
      .reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
    assert.ok(s, `unresolved $ref ${schema.$ref}`);
  }
  return s ?? {};
}

/**
 * The property schemas an object value may have under `schema`: merges
 * allOf, and the oneOf/anyOf branches that the value matches. null when
 * the schema allows any property.
 */
function documentedProperties(schema, value) {
  const s = deref(schema);
  const props = new Map();
  const add = (name, sub) => props.set(name, [...(props.get(name) ?? []), sub]);
  if (s.additionalProperties && s.additionalProperties !== false) return null;
  for (const [name, sub] of Object.entries(s.properties ?? {})) add(name, sub);
  const branches = [...(s.allOf ?? []), ...[...(s.oneOf ?? []), ...(s.anyOf ?? [])].filter((b) => validatorFor(b)(value))];
  for (const b of branches) {
    const inner = documentedProperties(b, value);
    if (inner === null) return null;
    for (const [name, subs] of inner) for (const sub of subs) add(name, sub);
  }
  return props;
}

/** Paths of the fields in `value` that `schema` does not describe. */
function undocumentedFields(schema, value, at = '$', out = []) {
  if (Array.isArray(value)) {
    const s = deref(schema);
    const items = [s, ...(s.allOf ?? []), ...[...(s.oneOf ?? []), ...(s.anyOf ?? [])].filter((b) => validatorFor(b)(value))]
      .map(deref)
      .find((x) => x.items)?.items;
    if (items) value.forEach((v, i) => undocumentedFields(items, v, `${at}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    const props = documentedProperties(schema, value);
    if (props === null) return out;
    for (const [k, v] of Object.entries(value)) {
      const subs = props.get(k);
      if (!subs) out.push(`${at}.${k}`);
      else undocumentedFields({ allOf: subs }, v, `${at}.${k}`, out);
    }
  }
  return out;
}

function fill(template, params) {
  return template.replace(/\{([^}]+)\}/g, (_, name) => {
    assert.ok(params[name] !== undefined, `no value for {${name}} in ${template}`);
    return encodeURIComponent(params[name]);
  });
}

/** Example path parameters for each templated path, from real data. */
function examplesFor(template) {
  const table = {
    '/api/v1/agendas/{slug}': () => samples.agendas.map((a) => ({ slug: a.slug })),
    '/api/v1/agendas/{slug}/actions/{code}': () =>
      samples.actions.map((a) => ({ slug: a.agenda_slug, code: a.code })),
    '/api/v1/agendas/{slug}/objectives/{code}': () =>
      samples.objectives.map((o) => ({ slug: o.agenda_slug, code: o.code })),
    // The demo agendas both have a Community Lab.
    '/api/v1/agendas/{slug}/process': () => samples.agendas.map((a) => ({ slug: a.slug })),
    '/api/v1/agendas/{slug}/process/ideas': () => samples.agendas.map((a) => ({ slug: a.slug })),
    '/api/v1/agendas/{slug}/process/results': () => samples.agendas.map((a) => ({ slug: a.slug })),
    '/api/v1/agendas/{slug}/process/document': () => samples.agendas.map((a) => ({ slug: a.slug })),
    // Only Rimini's demo agenda reads its consultation from Decidim.
    '/api/v1/agendas/{slug}/decidim': () =>
      samples.agendas.filter((a) => a.slug.includes('rimini')).map((a) => ({ slug: a.slug })),
    // The Bassa Reggiana's finished process has a working day, a negotiation table and two pacts.
    '/api/v1/agendas/{slug}/process/meetings/{number}': () =>
      [1, 2].map((number) => ({ slug: 'agenda-digitale-sociale-bassa-reggiana-2025-2027', number })),
    '/api/v1/agendas/{slug}/process/pacts/{number}': () =>
      [1, 2].map((number) => ({ slug: 'agenda-digitale-sociale-bassa-reggiana-2025-2027', number })),
    '/api/v1/agendas/{slug}/process/ideas/{number}': () =>
      samples.agendas.flatMap((a) => [1, 2].map((number) => ({ slug: a.slug, number }))),
    '/api/v1/agendas/{slug}/monitoring': () => samples.agendas.map((a) => ({ slug: a.slug })),
    // Every action has its delivery: milestones and the spending of its budget lines.
    '/api/v1/agendas/{slug}/actions/{code}/delivery': () =>
      ['A01', 'A03', 'A11'].map((code) => ({ slug: 'agenda-digitale-sociale-bassa-reggiana-2025-2027', code })),
    // The Bassa Reggiana's agenda is under way: its indicators have values.
    '/api/v1/agendas/{slug}/indicators/{id}/measurements': () => samples.indicators,
    '/api/v1/organizations/{slug}': () => samples.organizations.map((o) => ({ slug: o.slug })),
    '/api/v1/assets/{slug}': () => samples.assets.map((a) => ({ slug: a.slug })),
    '/api/v1/territories/{code}': () => [
      { code: '035024' }, // a comune by ISTAT code
      { code: 're-guastalla' }, // a district
      { code: 'er' }, // the region
      ...samples.agendas.map((a) => ({ code: a.territory.code })),
    ],
    '/api/v1/vocabularies/{vocabulary}': () => samples.vocabularies.map((v) => ({ vocabulary: v })),
    '/api/v1/profiles/{slug}': () => samples.profiles.map((p) => ({ slug: p.territory.slug })),
  };
  const f = table[template];
  assert.ok(f, `no example values for ${template}: add the new path to examplesFor() in openapi.test.mjs`);
  const list = f();
  assert.ok(list.length > 0, `the demo data gives no example for ${template}`);
  return list;
}

/** Templated paths: which value of which parameter is sure not to exist. */
function unknownFor(template) {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const base = examplesFor(template)[0];
  // Make the last parameter unknown, keep the others real.
  return { ...base, [names[names.length - 1]]: 'zzz-does-not-exist' };
}

/** The list operations: those whose 200 answer is a page of items. */
// The lists at fixed paths (a list under an agenda, its ideas, is called with the examples above
// and its parameters are checked by the Rust tests).
function listTemplates() {
  return [...operations.entries()]
    .filter(([t]) => !t.includes('{'))
    .filter(([, op]) => {
      const schema = op.responses?.['200']?.content?.['application/json']?.schema;
      return schema?.$ref?.startsWith('#/components/schemas/Page_');
    })
    .map(([t]) => t);
}

function queryParams(template) {
  return new Set((operations.get(template).parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
}

before(async () => {
  const { res, body } = await fetchJson('/api/v1/openapi.json');
  assert.equal(res.status, 200, 'GET /api/v1/openapi.json');
  doc = body;
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (op.security) secured.set(`${method.toUpperCase()} ${template}`, op);
      else if (method === 'get') operations.set(template, op);
    }
  }
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components: absolutize(doc.components ?? {}) });

  samples.agendas = await listAll('/api/v1/agendas');
  samples.actions = await listAll('/api/v1/actions');
  samples.objectives = await listAll('/api/v1/objectives');
  samples.organizations = await listAll('/api/v1/organizations');
  samples.assets = await listAll('/api/v1/assets');
  const { body: vocab } = await fetchJson('/api/v1/vocabularies');
  samples.vocabularies = [...new Set(vocab.map((t) => t.vocabulary))];
  samples.profiles = (await fetchJson('/api/v1/profiles')).body;
  const guastalla = 'agenda-digitale-sociale-bassa-reggiana-2025-2027';
  const { body: a01 } = await fetchJson(`/api/v1/agendas/${guastalla}/actions/A01`);
  samples.indicators = a01.results.flatMap((r) => r.indicators.map((i) => ({ slug: guastalla, id: i.id })));
}, T);

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and served as JSON', T, async () => {
    const res = await fetch(url('/api/v1/openapi.json'));
    assert.match(res.headers.get('content-type') ?? '', /^application\/(vnd\.oai\.openapi\+)?json/);
    assert.equal(typeof doc.openapi, 'string');
    assert.ok(doc.openapi.startsWith('3.1'), `openapi is ${doc.openapi}`);
    assert.ok(doc.info?.title && doc.info?.version, 'info.title and info.version');
  });

  it('lists the routes of every resource', T, () => {
    const paths = Object.keys(doc.paths);
    for (const route of REQUIRED_ROUTES) assert.ok(paths.includes(route), `missing path ${route}`);
  });

  it('gives every operation a summary or description, and a unique operationId', T, () => {
    const ids = new Set();
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method)) continue;
        assert.ok(
          (op.summary ?? '').trim() || (op.description ?? '').trim(),
          `${method.toUpperCase()} ${template} has neither summary nor description`,
        );
        if (op.operationId) {
          assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
          ids.add(op.operationId);
        }
      }
    }
  });

  it('resolves every $ref and compiles every response schema', T, () => {
    for (const [template, op] of operations) {
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        for (const [type, media] of Object.entries(r.content ?? {})) {
          assert.doesNotThrow(() => validatorFor(media.schema), `${template} ${status} ${type}`);
        }
      }
    }
  });

  it('declares a 404 with problem+json for every templated path, and a 400 for every list', T, () => {
    for (const [template, op] of operations) {
      if (template.includes('{')) {
        assert.ok(op.responses?.['404']?.content?.['application/problem+json'], `${template}: 404 problem+json`);
      }
    }
    for (const template of listTemplates()) {
      assert.ok(operations.get(template).responses?.['400']?.content?.['application/problem+json'], `${template}: 400`);
    }
  });
});

describe('every GET operation answers as documented', () => {
  it('covers every GET path of the document', T, () => {
    assert.ok(operations.size >= REQUIRED_ROUTES.length, `only ${operations.size} GET operations`);
  });

  // One test per path, known only once the document is fetched: loop inside.
  it('templated and plain paths return 200 with bodies matching their schemas', T, async () => {
    const failures = [];
    let calls = 0;
    for (const template of operations.keys()) {
      try {
        const params = template.includes('{') ? examplesFor(template) : [{}];
        for (const p of params) {
          calls++;
          const path = fill(template, p);
          const { body } = await callAndValidate(template, path, 200);
          // The object answered is the one asked for.
          if (p.slug && !p.code && body.slug !== undefined) assert.equal(body.slug, p.slug, path);
          if (p.code && body.code !== undefined && template.includes('/agendas/')) assert.equal(body.code, p.code, path);
        }
      } catch (e) {
        failures.push(e.message);
      }
    }
    assert.ok(calls > 0);
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('a comune is found by ISTAT code and by slug, a district by slug', T, async () => {
    const { body: byCode } = await callAndValidate('/api/v1/territories/{code}', '/api/v1/territories/035024');
    assert.equal(byCode.code, '035024');
    assert.equal(byCode.kind, 'comune');
    const { body: bySlug } = await callAndValidate('/api/v1/territories/{code}', `/api/v1/territories/${byCode.slug}`);
    assert.equal(bySlug.code, '035024');
    const { body: district } = await callAndValidate('/api/v1/territories/{code}', '/api/v1/territories/re-guastalla');
    assert.equal(district.kind, 'district');
  });

  it('unknown identifiers give 404 problem+json for every templated path', T, async () => {
    const failures = [];
    for (const template of [...operations.keys()].filter((t) => t.includes('{'))) {
      try {
        const path = fill(template, unknownFor(template));
        const { res, body } = await callAndValidate(template, path, 404);
        assert.equal((res.headers.get('content-type') ?? '').split(';')[0], 'application/problem+json', path);
        assert.equal(body.status, 404, `${path}: problem status`);
        assert.equal(body.instance, new URL(url(path)).pathname, `${path}: problem instance`);
      } catch (e) {
        failures.push(e.message);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('an unknown API route gives 404 problem+json', T, async () => {
    const { res, body } = await fetchJson('/api/v1/zzz-does-not-exist');
    assert.equal(res.status, 404);
    assert.equal((res.headers.get('content-type') ?? '').split(';')[0], 'application/problem+json');
    const validate = validatorFor({ $ref: '#/components/schemas/Problem' });
    assert.ok(validate(body), ajv.errorsText(validate.errors));
  });
});

describe('no undocumented fields', () => {
  // Runs after the calls above (the runner keeps file order): every field
  // in every answer seen so far must be described by the document.
  it('every field of every answer is described in the document', T, () => {
    assert.ok(answered.length > 0);
    const found = new Map();
    for (const a of answered) {
      for (const f of undocumentedFields(a.schema, a.body)) {
        const key = f.replace(/\[\d+\]/g, '[]');
        if (!found.has(key)) found.set(key, a.path);
      }
    }
    assert.deepEqual(
      [...found].map(([f, p]) => `${f} (in GET ${p})`),
      [],
      'fields in the answers that the schemas do not describe',
    );
  });
});

describe('pagination of the list endpoints', () => {
  it('page=2&per_page=5 and the last page', T, async () => {
    const failures = [];
    for (const template of listTemplates()) {
      try {
        const { body: all } = await callAndValidate(template, `${template}?per_page=5`);
        assert.equal(all.page, 1, `${template}: default page`);
        assert.equal(all.per_page, 5, `${template}: per_page`);
        assert.equal(all.total_pages, Math.ceil(all.total / 5), `${template}: total_pages`);
        assert.equal(all.items.length, Math.min(5, all.total), `${template}: items on page 1`);

        const { body: p2 } = await callAndValidate(template, `${template}?page=2&per_page=5`);
        assert.equal(p2.page, 2, `${template}: page 2`);
        assert.equal(p2.per_page, 5);
        assert.equal(p2.total, all.total, `${template}: the total does not depend on the page`);
        assert.equal(p2.items.length, Math.max(0, Math.min(5, all.total - 5)), `${template}: items on page 2`);
        const firstIds = new Set(all.items.map((i) => JSON.stringify(i)));
        assert.ok(!p2.items.some((i) => firstIds.has(JSON.stringify(i))), `${template}: page 2 repeats page 1`);

        if (all.total_pages >= 1) {
          const last = all.total_pages;
          const { body: pl } = await callAndValidate(template, `${template}?page=${last}&per_page=5`);
          assert.equal(pl.page, last);
          assert.equal(pl.items.length, all.total - 5 * (last - 1), `${template}: items on the last page (${last})`);
        }
      } catch (e) {
        failures.push(e.message);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('the default page size is 20 and per_page=100 is allowed', T, async () => {
    for (const template of listTemplates()) {
      const { body } = await callAndValidate(template, template);
      assert.equal(body.per_page, 20, `${template}: default per_page`);
      const { body: big } = await callAndValidate(template, `${template}?per_page=100`);
      assert.equal(big.per_page, 100);
    }
  });
});

// A key that names nothing (a territory, a comune) answers 404 like an address naming nothing;
// the other bad values 400. Both name the parameter.
describe('bad parameters give 400 (404 for a key naming nothing) problem+json naming the parameter', () => {
  const BAD = [
    { name: 'status', value: 'ok' },
    { name: 'page', value: '-1' },
    { name: 'page', value: '0' },
    { name: 'page', value: 'abc' },
    { name: 'per_page', value: '1000' },
    { name: 'per_page', value: '0' },
    { name: 'territory', value: 'zzz', status: 404 },
    { name: 'kind', value: 'zzz' },
    { name: 'target_group', value: 'zzz' },
    { name: 'life_stage', value: 'zzz' },
    { name: 'theme', value: 'zzz' },
    { name: 'type', value: 'zzz' },
    { name: 'comune', value: 'zzz', status: 404 },
    { name: 'parent', value: 'zzz', status: 404 },
  ];

  it('on every list endpoint, for every parameter it declares', T, async () => {
    const failures = [];
    let checked = 0;
    for (const template of listTemplates()) {
      const declared = queryParams(template);
      for (const bad of BAD.filter((b) => declared.has(b.name))) {
        const path = `${template}?${bad.name}=${encodeURIComponent(bad.value)}`;
        try {
          checked++;
          const status = bad.status ?? 400;
          const { res, body } = await callAndValidate(template, path, status);
          assert.equal((res.headers.get('content-type') ?? '').split(';')[0], 'application/problem+json', path);
          assert.equal(body.status, status, `${path}: problem status`);
          const named = (body.invalid_params ?? []).map((p) => p.name);
          assert.ok(
            named.includes(bad.name),
            `${path}: invalid_params should name "${bad.name}", got ${JSON.stringify(body.invalid_params)}`,
          );
          assert.ok(body.detail.includes(bad.name), `${path}: the detail should name "${bad.name}": ${body.detail}`);
        } catch (e) {
          failures.push(e.message);
        }
      }
    }
    assert.ok(checked >= listTemplates().length * 3, `only ${checked} bad-parameter calls`);
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });

  it('the four cases of the brief on /api/v1/agendas', T, async () => {
    for (const [q, name, status] of [
      ['status=ok', 'status', 400],
      ['page=-1', 'page', 400],
      ['per_page=1000', 'per_page', 400],
      ['territory=zzz', 'territory', 404],
    ]) {
      const { body } = await callAndValidate('/api/v1/agendas', `/api/v1/agendas?${q}`, status);
      assert.deepEqual(
        body.invalid_params.map((p) => p.name),
        [name],
      );
    }
  });
});

describe('filters return what they promise', () => {
  it('agendas by status and by territory', T, async () => {
    const { body } = await callAndValidate('/api/v1/agendas', '/api/v1/agendas?status=approved');
    assert.ok(body.total > 0);
    assert.ok(body.items.every((a) => a.status === 'approved'));

    const { body: byDistrict } = await callAndValidate('/api/v1/agendas', '/api/v1/agendas?territory=re-guastalla');
    assert.ok(byDistrict.total > 0, 'the demo has an agenda for re-guastalla');
    assert.ok(
      byDistrict.items.every((a) => a.territory.code === 're-guastalla' || a.territory.slug === 're-guastalla'),
      'only agendas of that territory',
    );
  });

  it('actions and objectives by agenda', T, async () => {
    const slug = samples.agendas[0].slug;
    const { body: actions } = await callAndValidate('/api/v1/actions', `/api/v1/actions?agenda=${slug}&per_page=100`);
    assert.ok(actions.total > 0);
    assert.ok(actions.items.every((a) => a.agenda_slug === slug));
    const { body: objectives } = await callAndValidate(
      '/api/v1/objectives',
      `/api/v1/objectives?agenda=${slug}&per_page=100`,
    );
    assert.ok(objectives.total > 0);
    assert.ok(objectives.items.every((o) => o.agenda_slug === slug));
    const agenda = samples.agendas[0];
    assert.equal(actions.total, agenda.actions_count, 'actions_count of the agenda');
    assert.equal(objectives.total, agenda.objectives_count, 'objectives_count of the agenda');
  });

  it('territories of a district', T, async () => {
    const { body } = await callAndValidate('/api/v1/territories', '/api/v1/territories?parent=re-guastalla&per_page=100');
    assert.ok(body.total > 0);
    // Its comuni, and the unions of comuni the Region has added there.
    assert.ok(body.items.every((t) => ['comune', 'union'].includes(t.kind) && t.parent?.code === 're-guastalla'));
    assert.ok(body.items.some((t) => t.code === '035024'), 'Guastalla (035024) is in its district');
  });
});

// --- changes with a personal access token ----------------------------------

/** Calls a secured operation and validates the answer; returns the body. */
async function change(method, template, path, token, body, expectedStatus) {
  // A string body is a CSV file (the Piano di Zona); anything else, JSON.
  const csv = typeof body === 'string';
  const headers = { 'content-type': csv ? 'text/csv' : 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (method !== 'GET') init.body = csv ? body : JSON.stringify(body);
  return answersAsDocumented(method, template, path, init, expectedStatus);
}

/** Send `init` to `path`, a secured operation, and check the answer against the document: status, content type, schema, fields. */
async function answersAsDocumented(method, template, path, init, expectedStatus) {
  const op = secured.get(`${method} ${template}`);
  assert.ok(op, `no secured operation ${method} ${template}`);
  const { res, body: answer, text } = await fetchJson(path, init);
  assert.equal(res.status, expectedStatus, `${method} ${path}: status (body: ${text.slice(0, 300)})`);
  if (expectedStatus === 204) {
    assert.ok(op.responses['204'], `${method} ${path}: 204 is not documented`);
    assert.equal(text, '', `${method} ${path}: a 204 has no body`);
    return null;
  }
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const content = responseSpec(op, expectedStatus);
  assert.ok(content[contentType], `${method} ${path}: ${contentType} is not documented for ${expectedStatus}`);
  const validate = validatorFor(content[contentType].schema);
  assert.ok(validate(answer), `${method} ${path}: the ${expectedStatus} body does not match its schema:\n${ajv.errorsText(validate.errors)}`);
  assert.deepEqual(undocumentedFields(content[contentType].schema, answer), [], `${method} ${path}: undocumented fields`);
  if (expectedStatus === 401) assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="agio"');
  return answer;
}

describe('every change answers as documented', () => {
  const GUASTALLA = 'agenda-digitale-sociale-bassa-reggiana-2025-2027';
  const RIMINI = 'agenda-digitale-sociale-rimini-valmarecchia-2026-2028';
  const called = new Set();
  const call = (method, template, ...rest) => {
    called.add(`${method} ${template}`);
    return change(method, template, ...rest);
  };

  it('declares the token scheme and secures every change', T, () => {
    assert.equal(doc.components.securitySchemes?.token?.scheme, 'bearer');
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of ['post', 'put', 'patch', 'delete']) {
        if (item[method]) assert.ok(item[method].security, `${method.toUpperCase()} ${template} needs a token`);
      }
    }
  });

  // Schemathesis fuzzes the changes with a token (tests/contract). Without a valid one, a change
  // is refused before anything of it is read, whatever it carries: every secured operation gets
  // the kinds of input Schemathesis's coverage phase sent it (hostile path values, bodies of
  // every wrong shape and type, broken credentials), each answered 401 as documented.
  it('without a valid token, every secured operation answers 401 whatever its input', T, async () => {
    const pathValues = [GUASTALLA, 'x', '-1', '9'.repeat(40), "' OR '1'='1", '<script>', 'ü'.repeat(200), ' '];
    const bodies = [
      ['application/json', '{}'],
      ['application/json', '{"version": '],
      ['application/json', '[1]'],
      ['application/json', 'null'],
      ['application/json', `{"title": "${'a'.repeat(70_000)}"}`],
      ['text/csv', 'a,b\n1,2\n'],
      ['application/x-www-form-urlencoded', 'title=x&version=1'],
      ['multipart/form-data; boundary=agio', '--agio\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--agio--\r\n'],
      [null, null],
    ];
    const credentials = [null, 'Bearer', 'Bearer agio_0123456789abcdef0123456789abcdef', `Bearer ${'x'.repeat(4_000)}`,
      'Basic cmVnaW9uZUBkZW1vLmFnaW8uZXhhbXBsZTpwYXNzd29yZA==', 'Token abc'];
    const refused = async (method, template, pathValue, [type, body], authorization) => {
      const path = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(pathValue));
      const headers = {};
      if (type) headers['content-type'] = type;
      if (authorization) headers.authorization = authorization;
      const init = { method, headers };
      if (method !== 'GET' && body !== null) init.body = body;
      await answersAsDocumented(method, template, path, init, 401);
    };
    assert.ok(secured.size >= 20, `only ${secured.size} secured operations in the document`);
    for (const key of secured.keys()) {
      const [method, template] = key.split(' ');
      for (const value of pathValues) {
        await refused(method, template, value, bodies[0], null);
      }
      for (const body of bodies) {
        await refused(method, template, GUASTALLA, body, null);
      }
      for (const authorization of credentials) {
        await refused(method, template, GUASTALLA, bodies[0], authorization);
      }
    }
  });

  it('with a token of the right person: 200, 401, 403, 404, 409 and 422', T, async () => {
    const referent = await createToken('referente@demo.agio.example', 'write');
    const coordinator = await createToken('coordinatore@demo.agio.example', 'write');
    const me = await call('GET', '/api/v1/me', '/api/v1/me', referent, null, 200);
    assert.equal(me.person.email, 'referente@demo.agio.example');
    await call('GET', '/api/v1/me', '/api/v1/me', '', null, 401);

    const actionTemplate = '/api/v1/agendas/{slug}/actions/{code}';
    const a02 = `/api/v1/agendas/${GUASTALLA}/actions/A02`;
    // Those who write the agenda read its working draft (the public reads the approved version):
    // the version to change is the draft's.
    const asMember = (token) => ({ headers: { authorization: `Bearer ${token}` } });
    const { body: action } = await fetchJson(a02, asMember(referent));
    // The district has a Piano di Zona: a reference names one of its sheets.
    await call('PATCH', actionTemplate, a02, referent, { version: action.version, zone_plan_ref: 'Scheda 4.2' }, 422);
    const sheet16 = 'Scheda 16 – Welfare di comunità, partecipazione e invecchiamento attivo';
    const saved = await call('PATCH', actionTemplate, a02, referent, { version: action.version, zone_plan_ref: sheet16 }, 200);
    assert.equal(saved.zone_plan_ref, sheet16);
    await call('PATCH', actionTemplate, a02, referent, { version: action.version, title: 'x' }, 409);
    await call('PATCH', actionTemplate, a02, referent, { version: saved.version, title: '' }, 422);
    await call('PATCH', actionTemplate, `/api/v1/agendas/${GUASTALLA}/actions/A01`, referent, { version: 1 }, 403);
    await call('PATCH', actionTemplate, `/api/v1/agendas/${GUASTALLA}/actions/zzz`, referent, { version: 1 }, 404);
    await call('PATCH', actionTemplate, a02, '', { version: 1 }, 401);
    await call('PATCH', actionTemplate, a02, referent, [1], 400);

    const indicatorTemplate = '/api/v1/agendas/{slug}/actions/{code}/indicators/{id}';
    const indicator = saved.results.flatMap((r) => r.indicators)[0];
    const ind = `${a02}/indicators/${indicator.id}`;
    const changed = await call('PATCH', indicatorTemplate, ind, referent, { version: saved.version, target_value: 42 }, 200);
    assert.equal(changed.indicator.target_value, 42);
    await call('PATCH', indicatorTemplate, `${a02}/indicators/zzz`, referent, { version: changed.version }, 404);

    const orgTemplate = '/api/v1/organizations/{slug}';
    const own = '/api/v1/organizations/aps-ponti-tra-culture';
    const { body: org } = await fetchJson(own);
    const profile = await call('PATCH', orgTemplate, own, referent, { version: org.version, description: org.description }, 200);
    assert.equal(profile.slug, 'aps-ponti-tra-culture');
    await call('PATCH', orgTemplate, own, referent, { version: profile.version, website: 'not a url' }, 422);
    await call('PATCH', orgTemplate, '/api/v1/organizations/unione-comuni-bassa-reggiana', referent, { version: 1 }, 403);
    await call('PATCH', orgTemplate, '/api/v1/organizations/zzz', referent, { version: 1 }, 404);

    // A district's profile: its planners change it against its version; a draft is theirs alone.
    const profileTemplate = '/api/v1/profiles/{slug}';
    const profilePath = '/api/v1/profiles/re-guastalla';
    const { body: district } = await fetchJson(profilePath);
    assert.equal(district.status, 'published');
    const withdrawn = await call('PATCH', profileTemplate, profilePath, coordinator, { version: 1, status: 'draft', facilitation_km: 6.5 }, 200);
    assert.equal(withdrawn.facilitation_km, 6.5);
    assert.equal((await fetchJson(profilePath)).res.status, 404, 'a draft is not public');
    await call('PATCH', profileTemplate, profilePath, coordinator, { version: 1, status: 'published' }, 409);
    await call('PATCH', profileTemplate, profilePath, coordinator, { version: 2, facilitation_km: 80 }, 422);
    await call('PATCH', profileTemplate, profilePath, referent, { version: 2, status: 'published' }, 404);
    await call('PATCH', profileTemplate, '/api/v1/profiles/zzz', coordinator, { version: 1 }, 404);
    await call('PATCH', profileTemplate, profilePath, '', { version: 2 }, 401);
    const republished = await call('PATCH', profileTemplate, profilePath, coordinator, { version: 2, status: 'published', facilitation_km: 8 }, 200);
    assert.equal(republished.status, 'published');

    // Its internal services, databases and Piano di Zona; the gaps an agenda addresses.
    const services = '/api/v1/profiles/{slug}/internal-services';
    const service = { name: 'Conformità API', description: '', digital_level: 1, target_groups: ['caregivers'],
      life_stages: ['adults'], needs: [], channels: ['phone'], platforms: [] };
    const withService = await call('POST', services, `${profilePath}/internal-services`, coordinator, service, 201);
    await call('POST', services, `${profilePath}/internal-services`, coordinator, { ...service, digital_level: 9 }, 422);
    await call('POST', services, `${profilePath}/internal-services`, referent, service, 403);
    const internalId = withService.services.find((x) => x.name === 'Conformità API').internal_id;
    const serviceOne = '/api/v1/profiles/{slug}/internal-services/{id}';
    await call('PATCH', serviceOne, `${profilePath}/internal-services/${internalId}`, coordinator, { version: 1, digital_level: 2 }, 200);
    await call('PATCH', serviceOne, `${profilePath}/internal-services/${internalId}`, coordinator, { version: 1, digital_level: 3 }, 409);
    await call('PATCH', serviceOne, `${profilePath}/internal-services/zzz`, coordinator, { version: 1 }, 404);
    const databases = '/api/v1/profiles/{slug}/databases';
    const database = { name: 'Registro API', holder: 'Unione', contents: '', personal_data: true, special_categories: false,
      legal_basis: '', format: '', update_frequency: '', access: 'none', used_by: '' };
    const withDatabase = await call('POST', databases, `${profilePath}/databases`, coordinator, database, 201);
    await call('POST', databases, `${profilePath}/databases`, coordinator, { ...database, access: 'fax' }, 422);
    const databaseId = withDatabase.databases.find((d) => d.name === 'Registro API').id;
    const databaseOne = '/api/v1/profiles/{slug}/databases/{id}';
    await call('PATCH', databaseOne, `${profilePath}/databases/${databaseId}`, coordinator, { version: 1, access: 'pdnd' }, 200);
    await call('PATCH', databaseOne, `${profilePath}/databases/${databaseId}`, coordinator, { version: 1, access: 'api' }, 409);
    const plan = '/api/v1/profiles/{slug}/zone-plan';
    const planPath = `${profilePath}/zone-plan?title=Piano%20API&period_start=2024&period_end=2026`;
    await call('PUT', plan, planPath, coordinator, 'numero;titolo;area;destinatari;budget;stato\n1;Casa;;nessuno;;\n', 422);
    const planned = await call('PUT', plan, planPath, coordinator, 'numero;titolo;area;destinatari;budget;stato\n1;Casa;;caregivers;1.000,00;in corso\n', 200);
    assert.equal(planned.zone_plan.title, 'Piano API');
    await call('PUT', plan, planPath, referent, 'numero;titolo\n', 403);
    const gapsTemplate = '/api/v1/agendas/{slug}/actions/{code}/gaps';
    const gapKey = planned.gaps[0].key;
    const { body: a04 } = await fetchJson(`/api/v1/agendas/${GUASTALLA}/actions/A04`);
    await call('PATCH', gapsTemplate, `/api/v1/agendas/${GUASTALLA}/actions/A04/gaps`, coordinator, { version: a04.version, gaps: ['need:nessuno'] }, 422);
    await call('PATCH', gapsTemplate, `/api/v1/agendas/${GUASTALLA}/actions/A04/gaps`, coordinator, { version: a04.version, gaps: [gapKey] }, 200);
    const objectiveGaps = '/api/v1/agendas/{slug}/objectives/{code}/gaps';
    await call('PATCH', objectiveGaps, `/api/v1/agendas/${GUASTALLA}/objectives/O2/gaps`, coordinator, { version: 1, gaps: [gapKey] }, 200);
    await call('PATCH', objectiveGaps, `/api/v1/agendas/${GUASTALLA}/objectives/O2/gaps`, referent, { version: 2, gaps: [] }, 403);
    const targets = '/api/v1/agendas/{slug}/objectives/{code}/targets';
    await call('PATCH', targets, `/api/v1/agendas/${GUASTALLA}/objectives/O2/targets`, coordinator, { version: 2, targets: ['sdg:0'] }, 422);
    await call('PATCH', targets, `/api/v1/agendas/${GUASTALLA}/objectives/O2/targets`, coordinator, { version: 2, targets: ['sdg:16.7'] }, 200);

    // The frameworks, the regional administrator's.
    const regional = await createToken('regione@demo.agio.example', 'write');
    const frameworkOne = '/api/v1/frameworks/{id}';
    await call('PATCH', frameworkOne, '/api/v1/frameworks/pnrr', coordinator, { version: 1, edition: 'x' }, 403);
    await call('PATCH', frameworkOne, '/api/v1/frameworks/pnrr', regional, { version: 1, edition: 'PNRR 2021-2026 (rev. 2023)' }, 200);
    await call('PATCH', frameworkOne, '/api/v1/frameworks/pnrr', regional, { version: 1, edition: 'x' }, 409);
    await call('PATCH', frameworkOne, '/api/v1/frameworks/zzz', regional, { version: 1 }, 404);
    const items = '/api/v1/frameworks/{id}/items';
    const grown = await call('POST', items, '/api/v1/frameworks/sdg/items', regional, { code: '11.7', parent_code: '11', title: 'Spazi pubblici accessibili' }, 201);
    // A code another item has: a clash with the framework as it is.
    await call('POST', items, '/api/v1/frameworks/sdg/items', regional, { code: '11.7', title: 'Doppione' }, 409);
    const itemOne = '/api/v1/frameworks/{id}/items/{item}';
    const added = grown.items.find((i) => i.code === '11.7');
    await call('PATCH', itemOne, `/api/v1/frameworks/sdg/items/${added.id}`, regional, { version: 1, title: 'Spazi verdi e pubblici accessibili' }, 200);
    await call('PATCH', itemOne, `/api/v1/frameworks/sdg/items/${added.id}`, regional, { version: 1, title: 'Di nuovo' }, 409);

    // The Community Lab: the coordinators answer an idea and move the active phase.
    const answer = '/api/v1/agendas/{slug}/process/ideas/{number}/answer';
    const answerPath = `/api/v1/agendas/${RIMINI}/process/ideas/2/answer`;
    const { body: idea } = await fetchJson(`/api/v1/agendas/${RIMINI}/process/ideas/2`, asMember(coordinator));
    await call('PUT', answer, answerPath, referent, { version: idea.version, answer: 'rejected', answer_note: 'No' }, 403);
    await call('PUT', answer, answerPath, coordinator, { version: idea.version, answer: 'accepted' }, 422);
    const answered = await call('PUT', answer, answerPath, coordinator, { version: idea.version, answer: 'accepted', action_code: 'A04' }, 200);
    assert.equal(answered.action.code, 'A04');
    await call('PUT', answer, answerPath, coordinator, { version: idea.version, answer: 'rejected', answer_note: 'Tardi' }, 409);
    await call('PUT', answer, `/api/v1/agendas/${RIMINI}/process/ideas/99/answer`, coordinator, { version: 1, answer: 'rejected' }, 404);
    const phase = '/api/v1/agendas/{slug}/process/active-phase';
    const phasePath = `/api/v1/agendas/${RIMINI}/process/active-phase`;
    const { body: lab } = await fetchJson(`/api/v1/agendas/${RIMINI}/process`, asMember(coordinator));
    await call('PUT', phase, phasePath, coordinator, { version: lab.version, active_phase: 'voto' }, 422);
    await call('PUT', phase, phasePath, referent, { version: lab.version, active_phase: 'pacts' }, 403);
    const phased = await call('PUT', phase, phasePath, coordinator, { version: lab.version, active_phase: 'working_day' }, 200);
    assert.equal(phased.active_phase, 'working_day');

    // The process's settings, a phase's dates, the ideas admitted to the vote: written as they are.
    const processTemplate = '/api/v1/agendas/{slug}/process';
    const processPath = `/api/v1/agendas/${RIMINI}/process`;
    const { body: processNow } = await fetchJson(processPath, asMember(coordinator));
    const settings = { title: processNow.title, description: processNow.description, vote_method: processNow.vote_method, vote_points: processNow.vote_points };
    await call('PUT', processTemplate, processPath, referent, { ...settings, version: processNow.version }, 403);
    await call('PUT', processTemplate, processPath, coordinator, { ...settings, version: processNow.version, vote_method: 'sortition' }, 422);
    const resaved = await call('PUT', processTemplate, processPath, coordinator, { ...settings, version: processNow.version }, 200);
    await call('PUT', processTemplate, processPath, coordinator, { ...settings, version: processNow.version }, 409);
    const phaseTemplate = '/api/v1/agendas/{slug}/process/phases/{kind}';
    const pacts0 = resaved.phases.find((p) => p.kind === 'pacts');
    const phaseBody = { version: pacts0.version, starts_on: pacts0.starts_on, ends_on: pacts0.ends_on, description: pacts0.description };
    await call('PUT', phaseTemplate, `${processPath}/phases/pacts`, coordinator, { ...phaseBody, starts_on: 'domani' }, 422);
    await call('PUT', phaseTemplate, `${processPath}/phases/pacts`, coordinator, phaseBody, 200);
    await call('PUT', phaseTemplate, `${processPath}/phases/nessuna`, coordinator, phaseBody, 404);
    const admittedTemplate = '/api/v1/agendas/{slug}/process/admitted';
    await call('PUT', admittedTemplate, `${processPath}/admitted`, coordinator, { version: resaved.version, admitted: ['999'] }, 422);
    await call('PUT', admittedTemplate, `${processPath}/admitted`, referent, { version: resaved.version, admitted: [] }, 403);

    // Meetings and pacts, the coordinators'.
    const meetings = '/api/v1/agendas/{slug}/process/meetings';
    const meetingOne = '/api/v1/agendas/{slug}/process/meetings/{number}';
    const newMeeting = { kind: 'meeting', title: 'Incontro conformità', date: '2027-05-06', place: 'Sala', capacity: 20 };
    await call('POST', meetings, `/api/v1/agendas/${RIMINI}/process/meetings`, referent, newMeeting, 403);
    await call('POST', meetings, `/api/v1/agendas/${RIMINI}/process/meetings`, coordinator, { kind: 'meeting', title: 'x' }, 422);
    const met = await call('POST', meetings, `/api/v1/agendas/${RIMINI}/process/meetings`, coordinator, newMeeting, 201);
    const metPath = `/api/v1/agendas/${RIMINI}/process/meetings/${met.number}`;
    await call('PUT', meetingOne, metPath, coordinator, { ...newMeeting, version: met.version, minutes: 'Verbale' }, 200);
    await call('PUT', meetingOne, metPath, coordinator, { ...newMeeting, version: met.version }, 409);
    const pacts = '/api/v1/agendas/{slug}/process/pacts';
    const pactOne = '/api/v1/agendas/{slug}/process/pacts/{number}';
    const pactReports = '/api/v1/agendas/{slug}/process/pacts/{number}/reports';
    const newPact = { title: 'Patto conformità', object: 'Oggetto', status: 'proposed', parties: ['Comune — ente', 'APS — associazione'] };
    await call('POST', pacts, `/api/v1/agendas/${RIMINI}/process/pacts`, coordinator, { ...newPact, parties: ['Solo'] }, 422);
    const pact = await call('POST', pacts, `/api/v1/agendas/${RIMINI}/process/pacts`, coordinator, newPact, 201);
    const pactPath = `/api/v1/agendas/${RIMINI}/process/pacts/${pact.number}`;
    await call('PUT', pactOne, pactPath, coordinator, { ...newPact, version: pact.version, status: 'signed' }, 200);
    await call('PUT', pactOne, pactPath, referent, { ...newPact, version: pact.version + 1 }, 403);
    await call('POST', pactReports, `${pactPath}/reports`, coordinator, { version: pact.version + 1, date: '2027-06-30', text: 'Fatto' }, 201);
    await call('POST', pactReports, `${pactPath}/reports`, coordinator, { version: 1, date: 'ieri', text: 'x' }, 422);

    // Decidim: the coordinators name an allowed instance and import from it.
    const decidim = '/api/v1/agendas/{slug}/decidim';
    const decidimPath = `/api/v1/agendas/${GUASTALLA}/decidim`;
    await call('PUT', decidim, decidimPath, coordinator, { version: 0, instance_url: 'https://evil.example', process_slug: 'x' }, 422);
    await call('PUT', decidim, decidimPath, referent, { version: 0, instance_url: 'https://partecipazioni.emr.it', process_slug: 'x' }, 403);
    const source = await call('PUT', decidim, decidimPath, coordinator, { version: 0, instance_url: 'https://partecipazioni.emr.it', process_slug: 'pdz-2024' }, 200);
    assert.equal(source.process_slug, 'pdz-2024');
    // The demo's instance is not among those this server may read from: the import says so, with no call out.
    const importTemplate = '/api/v1/agendas/{slug}/decidim/import';
    const refused = await call('POST', importTemplate, `/api/v1/agendas/${RIMINI}/decidim/import`, coordinator, undefined, 502);
    assert.match(refused.detail, /partecipazioni\.demo\.agio\.example/);
    await call('POST', importTemplate, `/api/v1/agendas/${RIMINI}/decidim/import`, referent, undefined, 403);

    // Monitoring: the referent of A02's lead organisation writes and sends a value, the
    // coordinator returns it and approves it once sent again.
    const measurement = '/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}';
    const move = '/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}/{step}';
    const countId = action.results.flatMap((r) => r.indicators)[1].id;
    const a01Id = samples.indicators[0].id;
    const q3 = `/api/v1/agendas/${GUASTALLA}/indicators/${countId}/measurements/2027-Q3`;
    await call('PUT', measurement, q3, referent, { version: 0, value: '1.234' }, 422);
    // A period outside the agenda's span: a clash with the agenda as it is.
    await call('PUT', measurement, `/api/v1/agendas/${GUASTALLA}/indicators/${countId}/measurements/2031-Q1`, referent, { version: 0, value: 3 }, 409);
    await call('PUT', measurement, `/api/v1/agendas/${GUASTALLA}/indicators/${a01Id}/measurements/2027-Q3`, referent, { version: 0, value: 3 }, 403);
    await call('PUT', measurement, `/api/v1/agendas/${GUASTALLA}/indicators/zzz/measurements/2027-Q3`, referent, { version: 0, value: 3 }, 404);
    const written = await call('PUT', measurement, q3, referent, { version: 0, value: 1.234, note: 'Dato esatto' }, 200);
    assert.equal(written.value, '1.234', 'a JSON number is exact');
    assert.equal(written.status, 'draft');
    await call('PUT', measurement, q3, referent, { version: 0, value: 2 }, 409);
    const sent = await call('POST', move, `${q3}/submit`, referent, { version: written.version }, 200);
    await call('POST', move, `${q3}/approve`, referent, { version: sent.version }, 403);
    await call('POST', move, `${q3}/return`, coordinator, { version: sent.version }, 422);
    const returned = await call('POST', move, `${q3}/return`, coordinator, { version: sent.version, comment: 'Verificare la fonte' }, 200);
    assert.equal(returned.review_note, 'Verificare la fonte');
    await call('POST', move, `${q3}/approve`, coordinator, { version: returned.version }, 409);
    const again = await call('POST', move, `${q3}/submit`, referent, { version: returned.version }, 200);
    const approved = await call('POST', move, `${q3}/approve`, coordinator, { version: again.version }, 200);
    assert.equal(approved.status, 'approved');

    const agendaTemplate = '/api/v1/agendas/{slug}';
    const { body: agenda } = await fetchJson(`/api/v1/agendas/${RIMINI}`, asMember(coordinator));
    const edited = await call('PATCH', agendaTemplate, `/api/v1/agendas/${RIMINI}`, coordinator, { version: agenda.version, vision: agenda.vision }, 200);
    await call('PATCH', agendaTemplate, `/api/v1/agendas/${RIMINI}`, referent, { version: edited.version }, 403);

    const newObjective = '/api/v1/agendas/{slug}/objectives';
    const objective = await call('POST', newObjective, `/api/v1/agendas/${RIMINI}/objectives`, coordinator, { title: 'Conformità' }, 201);
    await call('POST', newObjective, `/api/v1/agendas/${RIMINI}/objectives`, coordinator, { title: '' }, 422);
    await call('POST', newObjective, `/api/v1/agendas/${RIMINI}/objectives`, referent, { title: 'x' }, 403);
    await call('POST', newObjective, '/api/v1/agendas/zzz/objectives', coordinator, { title: 'x' }, 404);
    const newAction = '/api/v1/agendas/{slug}/actions';
    const created = await call('POST', newAction, `/api/v1/agendas/${RIMINI}/actions`, coordinator,
      { objective: objective.code, title: 'Azione di conformità', term: 'short', status: 'proposed' }, 201);
    assert.equal(created.objective_code, objective.code);
    await call('POST', newAction, `/api/v1/agendas/${RIMINI}/actions`, coordinator, { objective: 'O99', title: 'x', term: 'short', status: 'proposed' }, 422);

    // A move that keeps the agenda public: consultation → approved, or approved → archived.
    const statusTemplate = '/api/v1/agendas/{slug}/status';
    const next = edited.status === 'consultation' ? 'approved' : 'archived';
    const notAllowed = edited.status === 'consultation' ? 'archived' : 'draft';
    // Not a move from the present status: a clash with the agenda as it is.
    await call('POST', statusTemplate, `/api/v1/agendas/${RIMINI}/status`, coordinator, { version: edited.version, status: notAllowed, note: 'x' }, 409);
    const moved = await call('POST', statusTemplate, `/api/v1/agendas/${RIMINI}/status`, coordinator, { version: edited.version, status: next, note: 'Conformità API' }, 200);
    assert.equal(moved.status, next);
    await call('POST', statusTemplate, `/api/v1/agendas/zzz/status`, coordinator, { version: 1, status: next, note: 'x' }, 404);

    // The lists inside an action: each line added (201, the action) and removed (204, then 404).
    const lists = [
      ['partners', { organization: 'iis-guastalla', role: 'partner', role_description: 'Conformità' }, { role: 'nobody' },
        (a) => 'iis-guastalla'],
      ['budget-lines', { funding_source: 'pnrr', amount: 100, description: 'Conformità' }, { amount: 'molto' },
        (a) => a.budget.find((b) => b.description === 'Conformità').id],
      ['results', { kind: 'output', description: 'Conformità' }, { kind: 'x' },
        (a) => a.results.find((r) => r.description === 'Conformità').id],
      ['assets', { asset: 'lepida-rete' }, { asset: 'zzz' }, (a) => 'lepida-rete'],
    ];
    const lines = [];
    for (const [list, good, bad, idOf] of lists) {
      const template = `/api/v1/agendas/{slug}/actions/{code}/${list}`;
      const after = await call('POST', template, `${a02}/${list}`, referent, good, 201);
      await call('POST', template, `${a02}/${list}`, referent, bad, 422);
      await call('POST', template, `/api/v1/agendas/${GUASTALLA}/actions/A01/${list}`, referent, good, 403);
      lines.push([list, idOf(after)]);
      if (list === 'results') {
        const indicators = '/api/v1/agendas/{slug}/actions/{code}/indicators';
        const measured = await call('POST', indicators, `${a02}/indicators`, referent,
          { result: idOf(after), name: 'Conformità', unit: 'n.', direction: 'increase' }, 201);
        await call('POST', indicators, `${a02}/indicators`, referent, { result: 'zzz' }, 422);
        const added = measured.results.flatMap((r) => r.indicators).find((i) => i.name === 'Conformità');
        lines.unshift(['indicators', added.id]);
      }
    }
    for (const [list, id] of lines) {
      const template = `/api/v1/agendas/{slug}/actions/{code}/${list}/${list === 'indicators' ? '{id}' : '{item}'}`;
      await call('DELETE', template, `${a02}/${list}/${id}`, referent, {}, 204);
      await call('DELETE', template, `${a02}/${list}/${id}`, referent, {}, 404);
      await call('DELETE', template, `${a02}/${list}/${id}`, '', {}, 401);
    }

    // PUT replaces the whole record: required fields left out answer 422.
    const { body: current } = await fetchJson(a02, asMember(referent));
    const replaced = await call('PUT', actionTemplate, a02, referent,
      { version: current.version, title: current.title, term: current.term, status: current.status, description: current.description }, 200);
    assert.equal(replaced.zone_plan_ref, null, 'a field left out is emptied');
    await call('PUT', actionTemplate, a02, referent, { version: replaced.version }, 422);
    const measured = replaced.results.flatMap((r) => r.indicators)[0];
    const indicatorPut = await call('PUT', indicatorTemplate, `${a02}/indicators/${measured.id}`, referent,
      { version: replaced.version, name: measured.name, unit: measured.unit, direction: measured.direction }, 200);
    assert.equal(indicatorPut.indicator.target_value, null);
    const { body: orgNow } = await fetchJson(own);
    await call('PUT', orgTemplate, own, referent, { version: orgNow.version, name: orgNow.name, org_type: orgNow.org_type.code,
      tax_code: orgNow.tax_code, description: orgNow.description, website: orgNow.website }, 200);
    const { body: agendaNow } = await fetchJson(`/api/v1/agendas/${RIMINI}`, asMember(coordinator));
    await call('PUT', agendaTemplate, `/api/v1/agendas/${RIMINI}`, coordinator,
      { version: agendaNow.version, title: agendaNow.title, period_start: agendaNow.period_start, period_end: agendaNow.period_end,
        vision: agendaNow.vision, context: agendaNow.context }, 200);

    // Records that stand on their own: created (201), changed (200, 409), archived (204, then 404).
    const admin = await createToken('regione@demo.agio.example', 'write');
    const agendas = '/api/v1/agendas';
    const draft = await call('POST', agendas, agendas, admin,
      { territory: 're-guastalla', title: 'Agenda di conformità', period_start: 2028, period_end: 2030 }, 201);
    assert.equal(draft.status, 'draft');
    await call('POST', agendas, agendas, admin, { territory: 'nowhere', title: '' }, 422);
    await call('POST', agendas, agendas, coordinator, { territory: 're-guastalla', title: 'x', period_start: 2028, period_end: 2030 }, 403);

    const organizations = '/api/v1/organizations';
    const organization = await call('POST', organizations, organizations, coordinator,
      { name: 'Soggetto di conformità', org_type: 'odv', territory: 'Guastalla' }, 201);
    await call('POST', organizations, organizations, coordinator, { name: 'x', org_type: 'odv', territory: 'Atlantide' }, 422);
    await call('POST', organizations, organizations, referent, { name: 'x', org_type: 'odv' }, 403);
    const orgOne = '/api/v1/organizations/{slug}';
    await call('DELETE', orgOne, `${organizations}/${organization.slug}`, coordinator, {}, 403);
    await call('DELETE', orgOne, `${organizations}/${organization.slug}`, admin, {}, 204);
    await call('DELETE', orgOne, `${organizations}/${organization.slug}`, admin, {}, 404);

    const assets = '/api/v1/assets';
    const asset = await call('POST', assets, assets, coordinator,
      { name: 'Asset di conformità', kind: 'database', provider: 'Lepida', status: 'planned', coverage: ['Guastalla', '035028'] }, 201);
    assert.equal(asset.comuni_covered, 2);
    await call('POST', assets, assets, coordinator, { name: 'x', kind: 'x', provider: 'x', status: 'x', coverage: ['Atlantide'] }, 422);
    await call('POST', assets, assets, referent, { name: 'x' }, 403);
    const assetOne = '/api/v1/assets/{slug}';
    const assetPath = `${assets}/${asset.slug}`;
    const assetChanged = await call('PATCH', assetOne, assetPath, coordinator, { version: asset.version, status: 'active' }, 200);
    await call('PATCH', assetOne, assetPath, coordinator, { version: asset.version, status: 'planned' }, 409);
    await call('PUT', assetOne, assetPath, coordinator,
      { version: assetChanged.version, name: 'Asset di conformità', kind: 'database', provider: 'Lepida', status: 'active' }, 200);
    await call('DELETE', assetOne, assetPath, coordinator, {}, 204);
    // Retiring it again leaves it retired: a DELETE may be repeated.
    await call('DELETE', assetOne, assetPath, coordinator, {}, 204);

    const territories = '/api/v1/territories';
    // A comune is in one union at most: comuni no other test puts in a union.
    const union = await call('POST', territories, territories, admin,
      { name: 'Unione di conformità', district: 're-guastalla', members: ['Boretto', 'Brescello'] }, 201);
    assert.equal(union.kind, 'union');
    await call('POST', territories, territories, admin, { name: '', district: 'nowhere', members: [] }, 422);
    await call('POST', territories, territories, coordinator, { name: 'x', district: 're-guastalla', members: ['Guastalla'] }, 403);
    const territoryOne = '/api/v1/territories/{code}';
    const unionPath = `${territories}/${union.code}`;
    const unionChanged = await call('PATCH', territoryOne, unionPath, admin, { version: 1, members: 'Boretto' }, 200);
    assert.equal(unionChanged.comuni_count, 1);
    await call('PUT', territoryOne, unionPath, admin, { version: 2, name: 'Unione di conformità', district: 're-guastalla', members: ['Gualtieri'] }, 200);
    await call('PATCH', territoryOne, `${territories}/035024`, admin, { version: 1, name: 'x' }, 404);
    await call('DELETE', territoryOne, unionPath, admin, {}, 204);
    await call('DELETE', territoryOne, unionPath, admin, {}, 404);

    // An objective and an expected result, changed (PATCH) and replaced (PUT).
    const objectiveOne = '/api/v1/agendas/{slug}/objectives/{code}';
    const objectivePath = `/api/v1/agendas/${RIMINI}/objectives/${objective.code}`;
    const { body: objectiveNow } = await fetchJson(objectivePath, asMember(coordinator));
    await call('PATCH', objectiveOne, objectivePath, coordinator, { version: 1, title: 'Conformità rivista' }, 200);
    await call('PATCH', objectiveOne, objectivePath, coordinator, { version: 1, title: 'x' }, 409);
    await call('PUT', objectiveOne, objectivePath, coordinator, { version: 2 }, 422);
    await call('PUT', objectiveOne, objectivePath, referent, { version: 2, title: 'x' }, 403);
    assert.equal(objectiveNow.code, objective.code);
    const resultOne = '/api/v1/agendas/{slug}/actions/{code}/results/{item}';
    const { body: a02Now } = await fetchJson(a02, asMember(referent));
    const resultPath = `${a02}/results/${a02Now.results[0].id}`;
    const afterResult = await call('PATCH', resultOne, resultPath, referent, { version: a02Now.version, description: 'Risultato rivisto' }, 200);
    await call('PUT', resultOne, resultPath, referent,
      { version: afterResult.version, kind: a02Now.results[0].kind, description: 'Risultato rivisto' }, 200);
    await call('PUT', resultOne, `${a02}/results/zzz`, referent, { version: 1, kind: 'output', description: 'x' }, 404);

    // An organisation's part and a budget line, corrected in place.
    const partnerOne = '/api/v1/agendas/{slug}/actions/{code}/partners/{item}';
    const lineOne = '/api/v1/agendas/{slug}/actions/{code}/budget-lines/{item}';
    const { body: a02Lines } = await fetchJson(a02, asMember(referent));
    const partner = a02Lines.partners.find((p) => p.role === 'partner');
    const partnerPath = `${a02}/partners/${partner.organization.slug}`;
    const partnered = await call('PATCH', partnerOne, partnerPath, referent, { version: a02Lines.version, role_description: 'Conformità' }, 200);
    // A second lead: a clash with the action as it is.
    await call('PUT', partnerOne, partnerPath, referent, { version: partnered.version, role: 'lead' }, 409);
    const put = await call('PUT', partnerOne, partnerPath, referent, { version: partnered.version, role: 'partner', role_description: partner.role_description }, 200);
    const linePath = `${a02}/budget-lines/${a02Lines.budget[0].id}`;
    const lined = await call('PATCH', lineOne, linePath, referent, { version: put.version, amount_cents: a02Lines.budget[0].amount_cents }, 200);
    await call('PUT', lineOne, linePath, referent, { version: lined.version, amount_cents: 100 }, 422);
    await call('PUT', lineOne, linePath, referent, { version: lined.version, funding_source: a02Lines.budget[0].funding_source.code,
      amount_cents: a02Lines.budget[0].amount_cents, description: a02Lines.budget[0].description }, 200);

    // Archiving an action and an objective of the Rimini agenda (those created above).
    await call('DELETE', actionTemplate, `/api/v1/agendas/${RIMINI}/actions/${created.code}`, referent, {}, 403);
    await call('DELETE', actionTemplate, `/api/v1/agendas/${RIMINI}/actions/${created.code}`, coordinator, {}, 204);
    await call('DELETE', actionTemplate, `/api/v1/agendas/${RIMINI}/actions/${created.code}`, coordinator, {}, 404);
    await call('DELETE', objectiveOne, `/api/v1/agendas/${RIMINI}/objectives/${objective.code}`, coordinator, {}, 204);
    await call('DELETE', objectiveOne, `/api/v1/agendas/${RIMINI}/objectives/${objective.code}`, coordinator, {}, 404);
  });

  it('every secured operation was called', T, () => {
    assert.deepEqual([...secured.keys()].filter((k) => !called.has(k)), [], 'operations not exercised');
  });

  // Every change above (and those of the other suites) is in the audit log: read as the
  // administrators and the histories show it, no field is named by its stored name.
  it('the log names every changed field by its label, never by its stored name', T, async () => {
    const session = await signIn('regione@demo.agio.example');
    const raw = new Map();
    let pages = 0;
    for (let next = '/amministrazione/registro'; next; pages += 1) {
      const res = await fetch(url(next), { headers: { cookie: session } });
      assert.equal(res.status, 200, next);
      const html = await res.text();
      const entries = html.split('<li class="agio-history-entry">').slice(1);
      for (const entry of entries) {
        const heading = entry.match(/<h2[^>]*>(.*?)<\/h2>/s)?.[1].replace(/<[^>]+>/g, '') ?? '';
        for (const [, field] of entry.matchAll(/<tr><th scope="row">([^<]*)<\/th>/g)) {
          if (/^[a-z0-9_]+$/.test(field)) raw.set(field, heading);
        }
      }
      next = html.match(/<a class="page-link" href="([^"]+)">(?:Meno recenti|Older)/)?.[1]?.replaceAll('&amp;', '&').replaceAll('&#38;', '&');
    }
    assert.ok(pages > 1, 'the whole log was read');
    assert.deepEqual([...raw.entries()], [], 'stored names shown as labels (field, first entry)');
  });
});
