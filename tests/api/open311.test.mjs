// Open311 GeoReport v2 at /open311/v2 (docs/open311.md): every method in XML
// and in JSON, checked field by field against the specification's names and
// types; its error format; API keys (made, listed, revoked, rate-limited);
// a request filed through Open311 is a request case in the key's area, and
// its status and updates follow the case when it is closed.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, civgrid, cleanEnv, BACKEND } from './harness.mjs';

// ---- a tiny XML reader: enough for Open311's documents ----

function decodeEntities(s) {
  return s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (_, e) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** Parses an XML document into {name, children:[...], text}; throws on anything malformed. */
export function parseXml(xml) {
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, 'XML declaration with UTF-8');
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const root = { name: null, children: [], text: '' };
  const stack = [root];
  const re = /<\/([A-Za-z_][\w.-]*)>|<([A-Za-z_][\w.-]*)(\/?)>|([^<]+)/gy;
  let m;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    m = re.exec(body);
    if (!m) throw new Error(`malformed XML at ${pos}: ${body.slice(pos, pos + 40)}`);
    pos = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const el = { name: m[2], children: [], text: '' };
      top.children.push(el);
      if (!m[3]) stack.push(el);
    } else {
      if (/[&<>]/.test(m[4].replace(/&(amp|lt|gt|quot|apos|#x?[0-9a-fA-F]+);/g, ''))) {
        throw new Error(`unescaped text: ${m[4]}`);
      }
      top.text += decodeEntities(m[4]);
    }
  }
  if (stack.length !== 1 || root.children.length !== 1) throw new Error('unbalanced XML');
  return root.children[0];
}

/** The children of el as {name: text} (leaf elements only), keeping their order in `order`. */
function leaves(el) {
  const out = {};
  for (const c of el.children) {
    if (!c.children.length) out[c.name] = c.text;
  }
  return out;
}

function child(el, name) {
  const c = el.children.find((x) => x.name === name);
  assert.ok(c, `<${el.name}> has no <${name}>`);
  return c;
}

// ---- the specification's fields and types ----

const W3C = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const SERVICE_FIELDS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const REQUEST_FIELDS = ['service_request_id', 'status', 'status_notes', 'service_name', 'service_code',
  'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime',
  'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url'];
const UPDATE_FIELDS = ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description',
  'media_url', 'external_status_code'];
const ATTRIBUTE_FIELDS = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description'];

function checkServiceJson(s) {
  assert.deepEqual(Object.keys(s), SERVICE_FIELDS);
  for (const k of ['service_code', 'service_name', 'description', 'keywords', 'group']) assert.equal(typeof s[k], 'string', k);
  assert.equal(s.metadata, true);
  assert.equal(s.type, 'realtime');
}

function checkRequestJson(q) {
  assert.deepEqual(Object.keys(q), REQUEST_FIELDS);
  assert.match(q.service_request_id, /^\d+$/);
  assert.ok(['open', 'closed'].includes(q.status), q.status);
  for (const k of ['status_notes', 'service_name', 'service_code', 'agency_responsible']) assert.equal(typeof q[k], 'string', k);
  assert.match(q.requested_datetime, W3C);
  assert.match(q.updated_datetime, W3C);
  assert.ok(q.expected_datetime === null || W3C.test(q.expected_datetime), q.expected_datetime);
  for (const k of ['description', 'address', 'media_url', 'service_notice', 'address_id', 'zipcode']) {
    assert.ok(q[k] === null || typeof q[k] === 'string', k);
  }
  assert.ok((q.lat === null && q.long === null) || (typeof q.lat === 'number' && typeof q.long === 'number'));
}

function checkRequestXml(el) {
  assert.equal(el.name, 'request');
  assert.deepEqual(el.children.map((c) => c.name), REQUEST_FIELDS);
  const f = leaves(el);
  assert.match(f.service_request_id, /^\d+$/);
  assert.ok(['open', 'closed'].includes(f.status));
  assert.match(f.requested_datetime, W3C);
  assert.match(f.updated_datetime, W3C);
  if (f.lat) assert.ok(Number.isFinite(Number(f.lat)) && Number.isFinite(Number(f.long)));
  return f;
}

// ---- the deployment ----

let srv, key, otherKey, admin, filedId;
const env = () => cleanEnv();

function form(fields) {
  return new URLSearchParams(fields).toString();
}

async function post(path, fields, headers = {}) {
  return request(srv.url, 'POST', path, {
    body: typeof fields === 'string' ? fields : form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

const get = (path, headers) => request(srv.url, 'GET', path, { headers });

async function cli(args) {
  const r = await civgrid([...args, '--db', srv.db], { env: env() });
  return r;
}

/** Asserts an Open311 error: status, and [{code, description}] or <errors><error>. */
function assertOpen311Error(res, status, format, mention) {
  assert.equal(res.status, status, res.text);
  if (format === 'json') {
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.ok(Array.isArray(res.json) && res.json.length >= 1, res.text);
    assert.deepEqual(Object.keys(res.json[0]), ['code', 'description']);
    assert.equal(res.json[0].code, status);
    assert.equal(typeof res.json[0].description, 'string');
    if (mention) assert.match(res.json[0].description, mention);
  } else {
    assert.match(res.headers.get('content-type'), /^text\/xml/);
    const doc = parseXml(res.text);
    assert.equal(doc.name, 'errors');
    const e = child(doc, 'error');
    assert.deepEqual(e.children.map((c) => c.name), ['code', 'description']);
    assert.equal(leaves(e).code, String(status));
    if (mention) assert.match(leaves(e).description, mention);
  }
}

const GOOD = {
  service_code: 'sanitation.garbage',
  lat: '40.36', long: '113.75',
  description: '路口垃圾堆放\n已三天 <多> & "很臭"',
  first_name: '三', last_name: '张', phone: '13800138000', email: 'zhang@example.com',
  media_url: 'https://fms.example/photo/1.jpeg',
  'attribute[building]': '3号楼',
  'attribute[report_url]': 'https://fms.example/report/1',
};

before(async () => {
  srv = await startServer();
  for (const a of [
    ['140221', 'county', '阳高县', '000000'],
    ['140221001', 'town', '龙泉镇', '140221'],
    ['140221002', 'town', '罗文皂镇', '140221'],
  ]) {
    const r = await cli(['area', 'add', a[0], '--level', a[1], '--name', a[2], '--parent', a[3]]);
    assert.equal(r.code, 0, r.stderr);
  }
  const k = await cli(['apikey', 'add', 'fixmystreet', '--scope', '140221001']);
  assert.equal(k.code, 0, k.stderr);
  key = k.stdout.trim().split(/\s+/).pop();
  assert.match(key, /^cg311\.[A-Za-z0-9_-]{43}$/);
  const o = await cli(['apikey', 'add', 'other', '--scope', '140221002']);
  otherKey = o.stdout.trim().split(/\s+/).pop();
  const s = await request(srv.url, 'POST', '/api/v1/session', { body: { username: 'admin', password: srv.adminPassword } });
  assert.equal(s.status, 200, s.text);
  admin = s.json.token;
});

after(async () => { await srv?.stop(); });

describe(`Open311 discovery and services (${BACKEND})`, () => {
  it('discovery in JSON and XML names the v2 endpoint and both formats', async () => {
    const j = await get('/open311/v2/discovery.json');
    assert.equal(j.status, 200, j.text);
    assert.deepEqual(Object.keys(j.json), ['changeset', 'contact', 'key_service', 'endpoints']);
    const ep = j.json.endpoints[0];
    assert.deepEqual(Object.keys(ep), ['specification', 'url', 'changeset', 'type', 'formats']);
    assert.equal(ep.specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.match(ep.url, /\/open311\/v2$/);
    assert.match(ep.changeset, W3C);
    assert.deepEqual(ep.formats, ['text/xml', 'application/json']);
    const x = await get('/open311/v2/discovery.xml');
    assert.equal(x.status, 200);
    assert.match(x.headers.get('content-type'), /^text\/xml; charset=utf-8/);
    const doc = parseXml(x.text);
    assert.equal(doc.name, 'discovery');
    const xep = child(child(doc, 'endpoints'), 'endpoint');
    assert.equal(leaves(xep).specification, 'http://wiki.open311.org/GeoReport_v2');
    assert.deepEqual(child(xep, 'formats').children.map((c) => [c.name, c.text]),
      [['format', 'text/xml'], ['format', 'application/json']]);
  });

  it('services: the catalogue residents may file, in Chinese by default and in English by locale', async () => {
    const zh = await get('/open311/v2/services.json');
    assert.equal(zh.status, 200, zh.text);
    assert.ok(zh.json.length > 10);
    zh.json.forEach(checkServiceJson);
    const codes = zh.json.map((s) => s.service_code);
    for (const c of ['sanitation.garbage', 'request.errand', 'power.outage']) assert.ok(codes.includes(c), c);
    // Categories that name people or are the staff's own work are no services.
    for (const c of codes) assert.doesNotMatch(c, /^(dispute|suggestion|assistance|finding)\.|positive_dispatch/);
    assert.equal(zh.json.find((s) => s.service_code === 'sanitation.garbage').service_name, '垃圾堆放');
    const en = await get('/open311/v2/services.json?locale=en');
    assert.equal(en.json.find((s) => s.service_code === 'sanitation.garbage').service_name, 'Piled garbage');
    const al = await get('/open311/v2/services.json', { 'accept-language': 'en-GB,en;q=0.8' });
    assert.equal(al.json.find((s) => s.service_code === 'sanitation.garbage').group, 'Sanitation');

    const x = await get('/open311/v2/services.xml');
    const doc = parseXml(x.text);
    assert.equal(doc.name, 'services');
    assert.equal(doc.children.length, zh.json.length);
    for (const s of doc.children) {
      assert.equal(s.name, 'service');
      assert.deepEqual(s.children.map((c) => c.name), SERVICE_FIELDS);
      assert.equal(leaves(s).metadata, 'true');
      assert.equal(leaves(s).type, 'realtime');
    }
  });

  it('a service definition lists its attributes in the specification\'s shape', async () => {
    const j = await get('/open311/v2/services/sanitation.garbage.json?locale=en');
    assert.equal(j.status, 200, j.text);
    assert.deepEqual(Object.keys(j.json), ['service_code', 'attributes']);
    assert.equal(j.json.service_code, 'sanitation.garbage');
    assert.ok(j.json.attributes.length >= 1);
    j.json.attributes.forEach((a, i) => {
      assert.deepEqual(Object.keys(a), ATTRIBUTE_FIELDS);
      assert.equal(a.variable, true);
      assert.ok(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'].includes(a.datatype));
      assert.equal(typeof a.required, 'boolean');
      assert.equal(a.order, i + 1);
      assert.equal(typeof a.description, 'string');
    });
    const x = await get('/open311/v2/services/sanitation.garbage.xml');
    const doc = parseXml(x.text);
    assert.equal(doc.name, 'service_definition');
    assert.equal(leaves(doc).service_code, 'sanitation.garbage');
    const attrs = child(doc, 'attributes').children;
    assert.equal(attrs.length, j.json.attributes.length);
    for (const a of attrs) {
      assert.equal(a.name, 'attribute');
      assert.deepEqual(a.children.map((c) => c.name), ATTRIBUTE_FIELDS);
      assert.ok(['true', 'false'].includes(leaves(a).required));
    }
  });

  it('an unknown service or format answers 404 in the error format', async () => {
    assertOpen311Error(await get('/open311/v2/services/no.such.json'), 404, 'json', /service_code/);
    assertOpen311Error(await get('/open311/v2/services/no.such.xml'), 404, 'xml', /service_code/);
    assertOpen311Error(await get('/open311/v2/services/dispute.neighbour.json'), 404, 'json');
    assertOpen311Error(await get('/open311/v2/services.html'), 404, 'xml', /\.xml or \.json/);
    // The server's own refusals under /open311/ take the same format.
    assertOpen311Error(await get('/open311/v2/nothing.json'), 404, 'json', /no such path/);
    assertOpen311Error(await get('/open311/v2/a/b/c.xml'), 404, 'xml');
    const del = await request(srv.url, 'DELETE', '/open311/v2/requests.xml');
    assertOpen311Error(del, 405, 'xml', /method_not_allowed/);
    assert.match(del.headers.get('allow'), /GET/);
  });
});

describe(`Open311 requests (${BACKEND})`, () => {
  let id, idXml;

  it('POST without a key, with a wrong or revoked key answers 403', async () => {
    assertOpen311Error(await post('/open311/v2/requests.json', GOOD), 403, 'json', /api_key/);
    assertOpen311Error(await post('/open311/v2/requests.xml', { ...GOOD, api_key: 'cg311.wrong' }), 403, 'xml', /api_key/);
    const k = await cli(['apikey', 'add', 'soon_gone', '--scope', '140221001']);
    const gone = k.stdout.trim().split(/\s+/).pop();
    assert.equal((await post('/open311/v2/requests.json', { ...GOOD, api_key: gone })).status, 201);
    const rv = await cli(['apikey', 'revoke', 'soon_gone']);
    assert.equal(rv.code, 0, rv.stderr);
    assertOpen311Error(await post('/open311/v2/requests.json', { ...GOOD, api_key: gone }), 403, 'json', /api_key/);
  });

  it('POST refuses an unknown service, no location, bad coordinates and other bodies with 400', async () => {
    assertOpen311Error(await post('/open311/v2/requests.json', { ...GOOD, api_key: key, service_code: 'nope' }), 400, 'json', /service_code/);
    const { lat: _a, long: _b, ...nowhere } = GOOD;
    assertOpen311Error(await post('/open311/v2/requests.xml', { ...nowhere, api_key: key }), 400, 'xml', /lat/);
    assertOpen311Error(await post('/open311/v2/requests.json', { ...GOOD, api_key: key, lat: 'north' }), 400, 'json', /lat/);
    assertOpen311Error(await post('/open311/v2/requests.json', { ...GOOD, api_key: key, lat: '95' }), 400, 'json', /lat/);
    assertOpen311Error(await post('/open311/v2/requests.json', { ...GOOD, api_key: key, media_url: 'javascript:alert(1)' }), 400, 'json', /media_url/);
    const json = await request(srv.url, 'POST', '/open311/v2/requests.json', { body: { api_key: key } });
    assert.equal(json.status, 415, json.text);
    assert.equal(json.json[0].code, 415);
  });

  it('POST files a request in JSON and in XML and answers its id at once', async () => {
    const j = await post('/open311/v2/requests.json', { ...GOOD, api_key: key });
    assert.equal(j.status, 201, j.text);
    assert.equal(j.json.length, 1);
    assert.deepEqual(Object.keys(j.json[0]), ['service_request_id', 'token', 'service_notice', 'account_id']);
    assert.match(j.json[0].service_request_id, /^\d+$/);
    assert.equal(typeof j.json[0].service_notice, 'string');
    id = j.json[0].service_request_id;
    filedId = id;

    const x = await post('/open311/v2/requests.xml', {
      api_key: key, service_code: 'request.errand', address_string: '龙泉镇幸福里 5 号', description: '帮忙取药',
    });
    assert.equal(x.status, 201, x.text);
    const doc = parseXml(x.text);
    assert.equal(doc.name, 'service_requests');
    const req = child(doc, 'request');
    assert.deepEqual(req.children.map((c) => c.name), ['service_request_id', 'token', 'service_notice', 'account_id']);
    idXml = leaves(req).service_request_id;
    assert.match(idXml, /^\d+$/);
    assert.notEqual(idXml, id);
  });

  it('a filed request is a request case in the key\'s area, seen by the API and the command line', async () => {
    const show = await cli(['case', 'show', id, '--json']);
    assert.equal(show.code, 0, show.stderr);
    const c = JSON.parse(show.stdout);
    assert.equal(c.type, 'request');
    assert.equal(c.state, 'reported');
    assert.equal(c.source, 'open311');
    assert.equal(c.area.area_code, '140221001');
    assert.equal(c.category.code, 'sanitation.garbage');
    assert.equal(c.reporter, 'apikey:fixmystreet');
    assert.match(c.contact_phone, /^138\*+8000$/, 'the phone is kept (masked for the command line)');
    assert.equal(c.contact_name, '张三');
    assert.match(c.address, /3号楼/);
    assert.ok(Array.isArray(c.actions));

    const auth = { authorization: `Bearer ${admin}` };
    const inScope = await request(srv.url, 'GET', '/api/v1/cases?area_code=140221001&type=request', { headers: auth });
    assert.equal(inScope.status, 200, inScope.text);
    assert.ok(inScope.json.items.some((x) => String(x.id) === id), 'the case is in the key\'s area');
    const other = await request(srv.url, 'GET', '/api/v1/cases?area_code=140221002', { headers: auth });
    assert.ok(!other.json.items.some((x) => String(x.id) === id), 'not in another town');

    const o = await post('/open311/v2/requests.json', { ...GOOD, api_key: otherKey });
    const oc = JSON.parse((await cli(['case', 'show', o.json[0].service_request_id, '--json'])).stdout);
    assert.equal(oc.area.area_code, '140221002', 'each key files in its own area');
  });

  it('GET requests lists them in both formats, with no personal data', async () => {
    const j = await get('/open311/v2/requests.json');
    assert.equal(j.status, 200, j.text);
    j.json.forEach(checkRequestJson);
    const mine = j.json.find((q) => q.service_request_id === id);
    assert.ok(mine, j.text);
    assert.equal(mine.status, 'open');
    assert.equal(mine.service_code, 'sanitation.garbage');
    assert.equal(mine.service_name, '垃圾堆放');
    assert.equal(mine.agency_responsible, '龙泉镇');
    assert.equal(mine.lat, 40.36);
    assert.equal(mine.long, 113.75);
    assert.equal(mine.media_url, GOOD.media_url);
    // The description keeps its lines; the case's title is its first line.
    assert.equal(mine.description, GOOD.description);
    // Requests are listed newest first.
    assert.ok(j.json.findIndex((q) => q.service_request_id === idXml) < j.json.findIndex((q) => q.service_request_id === id));

    const x = await get('/open311/v2/requests.xml');
    const doc = parseXml(x.text);
    assert.equal(doc.name, 'service_requests');
    assert.equal(doc.children.length, j.json.length);
    const f = doc.children.map(checkRequestXml).find((r) => r.service_request_id === id);
    assert.equal(f.description, mine.description, 'text survives XML escaping');
    assert.equal(f.lat, '40.360000');

    for (const text of [j.text, x.text]) {
      for (const secret of ['13800138000', 'zhang@example.com', '张三', 'apikey']) {
        assert.ok(!text.includes(secret), `public answer reveals ${secret}`);
      }
    }
  });

  it('GET requests filters by id, service, status, dates and pages', async () => {
    const ids = await get(`/open311/v2/requests.json?service_request_id=${id},${idXml}&status=closed`);
    assert.deepEqual(ids.json.map((q) => q.service_request_id).sort(), [id, idXml].sort(), 'ids override the other filters');
    const svc = await get('/open311/v2/requests.json?service_code=request.errand');
    assert.deepEqual(svc.json.map((q) => q.service_request_id), [idXml]);
    const two = await get('/open311/v2/requests.json?service_code=request.errand,sanitation.garbage');
    assert.ok(two.json.length >= 2);
    assert.deepEqual((await get('/open311/v2/requests.json?service_code=no.such')).json, []);
    assert.deepEqual((await get('/open311/v2/requests.json?status=closed')).json, []);
    assert.ok((await get('/open311/v2/requests.json?status=open')).json.length >= 2);
    const old = await get('/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00%2B08:00');
    assert.deepEqual(old.json, []);
    const now = await get('/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z');
    assert.equal(now.json.length, (await get('/open311/v2/requests.json')).json.length);
    const p1 = await get('/open311/v2/requests.json?page_size=1');
    const p2 = await get('/open311/v2/requests.json?page_size=1&page=2');
    assert.equal(p1.json.length, 1);
    assert.equal(p2.json.length, 1);
    assert.notEqual(p1.json[0].service_request_id, p2.json[0].service_request_id);

    assertOpen311Error(await get('/open311/v2/requests.json?start_date=yesterday'), 400, 'json', /start_date/);
    assertOpen311Error(await get('/open311/v2/requests.xml?end_date=2026-13-01T00:00:00Z'), 400, 'xml', /end_date/);
    assertOpen311Error(await get('/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z'), 400, 'json', /start_date/);
    assertOpen311Error(await get('/open311/v2/requests.json?status=pending'), 400, 'json', /status/);
    assertOpen311Error(await get('/open311/v2/requests.json?service_request_id=abc'), 400, 'json', /service_request_id/);
    assertOpen311Error(await get('/open311/v2/requests.json?page_size=5000'), 400, 'json', /page_size/);
  });

  it('GET requests/{id} and tokens/{token} in both formats; an unknown id is 404', async () => {
    const j = await get(`/open311/v2/requests/${id}.json`);
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.length, 1);
    checkRequestJson(j.json[0]);
    const x = await get(`/open311/v2/requests/${id}.xml`);
    assert.equal(checkRequestXml(child(parseXml(x.text), 'request')).service_request_id, id);
    assertOpen311Error(await get('/open311/v2/requests/999999.json'), 404, 'json');
    assertOpen311Error(await get('/open311/v2/requests/999999.xml'), 404, 'xml');

    const t = await get(`/open311/v2/tokens/${id}.json`);
    assert.equal(t.status, 200, t.text);
    assert.deepEqual(t.json, [{ service_request_id: id, token: id }]);
    const tx = parseXml((await get(`/open311/v2/tokens/${id}.xml`)).text);
    assert.deepEqual(leaves(child(tx, 'request')), { service_request_id: id, token: id });
    assertOpen311Error(await get('/open311/v2/tokens/nope.json'), 404, 'json');
  });

  it('closing the case closes the request, and servicerequestupdates lists each step', async () => {
    const before = (await get('/open311/v2/servicerequestupdates.json')).json;
    assert.ok(!before.some((u) => u.service_request_id === id), 'filing is no update');
    const a = await cli(['case', 'act', id, 'accept']);
    assert.equal(a.code, 0, a.stderr);
    const h = await cli(['case', 'act', id, 'handle_on_spot', '--note', '已清运']);
    assert.equal(h.code, 0, h.stderr);
    const q = (await get(`/open311/v2/requests/${id}.json?locale=en`)).json[0];
    assert.equal(q.status, 'closed');
    assert.match(q.status_notes, /Closed/);
    assert.match(q.status_notes, /已清运/);
    assert.deepEqual((await get('/open311/v2/requests.json?status=closed')).json.map((r) => r.service_request_id), [id]);

    const u = await get('/open311/v2/servicerequestupdates.json');
    assert.equal(u.status, 200, u.text);
    const mine = u.json.filter((x) => x.service_request_id === id);
    assert.equal(mine.length, 2, u.text);
    for (const x of mine) {
      assert.deepEqual(Object.keys(x), UPDATE_FIELDS);
      assert.match(x.update_id, /^\d+$/);
      assert.match(x.updated_datetime, W3C);
    }
    assert.deepEqual(mine.map((x) => [x.status, x.external_status_code]), [['open', 'handling'], ['closed', 'closed']]);
    assert.match(mine[1].description, /已清运/);

    const ux = parseXml((await get('/open311/v2/servicerequestupdates.xml')).text);
    assert.equal(ux.name, 'service_request_updates');
    const xs = ux.children.filter((c) => leaves(c).service_request_id === id);
    assert.equal(xs.length, 2);
    for (const c of xs) {
      assert.equal(c.name, 'request_update');
      assert.deepEqual(c.children.map((e) => e.name), UPDATE_FIELDS);
    }
    assert.equal(leaves(xs[1]).status, 'closed');
    const none = await get('/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z&end_date=2020-01-02T00:00:00Z');
    assert.deepEqual(none.json, []);
    assertOpen311Error(await get('/open311/v2/servicerequestupdates.xml?end_date=soon'), 400, 'xml', /end_date/);
  });
});

describe(`Open311 API keys (${BACKEND})`, () => {
  it('list shows names and scopes, never the keys; making and revoking are audited', async () => {
    const l = await cli(['apikey', 'list']);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /fixmystreet\s+140221001/);
    assert.ok(!l.stdout.includes(key), 'the key is shown only once');
    assert.ok(!l.stdout.includes('cg311.'));
    const dup = await cli(['apikey', 'add', 'fixmystreet', '--scope', '140221001']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /already_exists/);
    const bad = await cli(['apikey', 'add', 'x', '--scope', '999']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /not_found/);
    const unknown = await cli(['apikey', 'revoke', 'nobody']);
    assert.notEqual(unknown.code, 0);
    const audit = await cli(['audit']);
    assert.match(audit.stdout, /apikey\.create/);
    assert.match(audit.stdout, /apikey\.revoke/);
    // Filing is audited under the key's name, naming the case.
    const filed = await cli(['audit', '--actor', 'apikey:fixmystreet', '--action', 'case.report', '--object', filedId]);
    assert.equal(filed.code, 0, filed.stderr);
    assert.match(filed.stdout, /case\.report\s+\d+\s+ok/, filed.stdout);
  });

  it('a key files at most 30 requests a minute; then 429 in the error format with Retry-After', async () => {
    const k = await cli(['apikey', 'add', 'busy', '--scope', '140221001']);
    const busy = k.stdout.trim().split(/\s+/).pop();
    let limited = null;
    // A minute may turn during the loop and reset the count once: 70 tries
    // always reach the limit.
    for (let i = 0; i < 70 && !limited; i++) {
      const r = await post('/open311/v2/requests.json', {
        api_key: busy, service_code: 'request.other', address_string: '幸福里', description: `第 ${i} 件`,
      });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 201, r.text);
    }
    assert.ok(limited, 'no 429 after 70 requests');
    assertOpen311Error(limited, 429, 'json', /rate_limited/);
    assert.match(limited.headers.get('retry-after'), /^\d+$/);
  });
});
