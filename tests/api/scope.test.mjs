// Proves that scope and role are enforced by every route: for each route in the
// server's own route table, for every role, a request about something inside
// the caller's scope and one about something outside it. Out-of-scope reads
// must answer 404 (exactly like a missing record) and must never carry the
// outside record's data; actions the role lacks answer 403. A route without a
// row in this table fails the test, so a new route cannot skip the check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, idNumber, repoFile } from './harness.mjs';

const ROLES = ['admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant',
  'building_head', 'department', 'cdc', 'sampler', 'checkpoint', 'resident'];
const CAN = {
  peopleRead: new Set(['admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant', 'building_head', 'cdc', 'sampler']),
  peopleWrite: new Set(['admin', 'centre', 'commander', 'grid_head', 'grid_worker', 'assistant']),
  usersRead: new Set(['admin', 'centre']),
  usersWrite: new Set(['admin']),
  auditRead: new Set(['admin', 'centre']),
  areasWrite: new Set(['admin']),
  areasRead: new Set(ROLES.filter((r) => r !== 'resident')),
  policyRead: new Set(ROLES.filter((r) => r !== 'resident')),
  policyWrite: new Set(['admin', 'centre']),
  casesRead: new Set(ROLES.filter((r) => r !== 'resident')),
  casesDispatch: new Set(['admin', 'centre', 'commander', 'grid_head']),
  casesCatalogue: new Set(['admin', 'centre']),
  calendarWrite: new Set(['admin', 'centre']),
};
// A day far from any real deadline, one per call, for the calendar's writers.
const calendarDay = (n) => `2035-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
// A department's users see only cases assigned or copied to their department.
const seesCases = (role) => CAN.casesRead.has(role) && role !== 'department';
const caseIds = {};
const attachmentIds = {};
// A WebP header in ASCII, so that the harness can send it as a string.
const WEBP = 'RIFF\u0000\u0000\u0000\u0000WEBPVP8 photo';
const PASSWORD = 'scope-test-pw';
// Names that exist only outside the callers' scope: none may appear in any
// answer given to a caller scoped to county C1.
const OUTSIDE = ['c2', 'g2', 'out_target', '外县', '外网格', '外人甲', '130503198001010017', 'p_out'];

const IN_RESIDENT = { id_number: idNumber('14022119850101003'), name: '本人乙', phone: '13800000001', area_code: 'g1' };
const OUT_RESIDENT = { id_number: idNumber('13050319800101001'), name: '外人甲', phone: '13900000002', area_code: 'g2' };
const residentIds = {};
const staffIds = {};

let srv, adminToken;
const tokens = {};
let serial = 0;

async function api(method, path, token, body) {
  return request(srv.url, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function login(username) {
  const r = await api('POST', '/api/v1/session', null, { username, password: PASSWORD });
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  return r.json.token;
}

before(async () => {
  srv = await startServer();
  const r = await api('POST', '/api/v1/session', null, { username: 'admin', password: srv.adminPassword });
  adminToken = r.json.token;
  const areas = [
    { code: 'c1', level: 'county', name: '本县' },
    { code: 'g1', parent_code: 'c1', level: 'grid', name: '本网格' },
    { code: 'c2', level: 'county', name: '外县' },
    { code: 'g2', parent_code: 'c2', level: 'grid', name: '外网格' },
  ];
  for (const a of areas) {
    const res = await api('POST', '/api/v1/areas', adminToken, a);
    assert.equal(res.status, 201, res.text);
  }
  const users = [
    ...ROLES.map((role) => ({ username: `as_${role}`, role, scope: 'c1' })),
    { username: 'in_target', role: 'grid_worker', scope: 'g1' },
    { username: 'out_target', role: 'grid_worker', scope: 'g2' },
  ];
  for (const u of users) {
    const res = await api('POST', '/api/v1/users', adminToken, { ...u, password: PASSWORD });
    assert.equal(res.status, 201, res.text);
  }
  // A place on each grid (places.test.mjs covers places in depth).
  for (const p of [
    { code: 'p_in', name: '本网格超市', kind: 'venue', type: 'supermarket', area_code: 'g1' },
    { code: 'p_out', name: '外网格', kind: 'venue', type: 'supermarket', area_code: 'g2' },
  ]) {
    const res = await api('POST', '/api/v1/places', adminToken, p);
    assert.equal(res.status, 201, res.text);
  }
  for (const role of ROLES) tokens[role] = await login(`as_${role}`);
  for (const [key, body] of [['in', IN_RESIDENT], ['out', OUT_RESIDENT]]) {
    const res = await api('POST', '/api/v1/residents', adminToken, body);
    assert.equal(res.status, 201, res.text);
    residentIds[key] = res.json.id;
  }
  for (const [key, area] of [['in', 'g1'], ['out', 'g2']]) {
    const res = await api('POST', '/api/v1/staff', adminToken, { area_code: area, position: 'grid_worker', name: `网格员${key}` });
    assert.equal(res.status, 201, res.text);
    staffIds[key] = res.json.id;
  }
  for (const [key, area] of [['in', 'g1'], ['out', 'g2']]) {
    const res = await api('POST', '/api/v1/cases', adminToken, { type: 'event', category: 'sanitation.garbage', area_code: area, title: `案件${key}` });
    assert.equal(res.status, 201, res.text);
    caseIds[key] = res.json.id;
    const up = await api('POST', `/api/v1/cases/${res.json.id}/attachments`, adminToken, WEBP, { 'content-type': 'image/webp' });
    assert.equal(up.status, 201, up.text);
    attachmentIds[key] = up.json.id;
  }
  // Give the audit trail entries about the outside world.
  await api('GET', '/api/v1/users/out_target', adminToken);
});

after(async () => { await srv?.stop(); });

// For each route: the request to make in scope and out of scope, and the status
// each role must get. `in`/`out` return [path, body].
const ROUTES = {
  'GET /healthz': { public: true },
  'GET /metrics': { public: true },
  'GET /api/v1/version': { public: true },
  'GET /api/v1/openapi.yaml': { public: true },
  'GET /api/v1/routes': { public: true },
  'POST /api/v1/session': { public: true, skip: 'signing in is covered by accounts.test.mjs' },
  'GET /open311/v2/discovery.{format}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/services.{format}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/services/{code}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'POST /open311/v2/requests.{format}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/requests.{format}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/requests/{id}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/tokens/{token}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'GET /open311/v2/servicerequestupdates.{format}': { public: true, skip: 'Open311 is covered by open311.test.mjs' },
  'DELETE /api/v1/session': { skip: 'signing out is covered by accounts.test.mjs' },
  'GET /api/v1/me': { in: () => ['/api/v1/me'], expect: () => [200] },
  'GET /api/v1/roles': { in: () => ['/api/v1/roles'], expect: () => [200] },
  'GET /api/v1/meta': { in: () => ['/api/v1/meta'], expect: () => [200] },
  'GET /api/v1/users': {
    in: () => ['/api/v1/users'],
    out: () => ['/api/v1/users?q=out_target'],
    expect: (role) => (CAN.usersRead.has(role) ? [200, 200] : [403, 403]),
  },
  'POST /api/v1/users': {
    in: () => ['/api/v1/users', { username: `n${++serial}`, role: 'grid_worker', scope: 'g1', password: PASSWORD }],
    out: () => ['/api/v1/users', { username: `n${++serial}`, role: 'grid_worker', scope: 'g2', password: PASSWORD }],
    expect: (role) => (CAN.usersWrite.has(role) ? [201, 400] : [403, 403]),
  },
  'GET /api/v1/users/{username}': {
    in: () => ['/api/v1/users/in_target'],
    out: () => ['/api/v1/users/out_target'],
    expect: (role) => (CAN.usersRead.has(role) ? [200, 404] : [403, 403]),
  },
  'PATCH /api/v1/users/{username}': {
    in: () => ['/api/v1/users/in_target', { status: 'active' }],
    out: () => ['/api/v1/users/out_target', { status: 'disabled' }],
    expect: (role) => (CAN.usersWrite.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/areas': {
    in: () => ['/api/v1/areas'],
    out: () => ['/api/v1/areas?q=g2'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 200] : [403, 403]),
  },
  'POST /api/v1/areas': {
    in: () => ['/api/v1/areas', { code: `a${++serial}`, parent_code: 'g1', level: 'building', name: '楼' }],
    out: () => ['/api/v1/areas', { code: `a${++serial}`, parent_code: 'g2', level: 'building', name: '楼' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [201, 404] : [403, 403]),
  },
  'GET /api/v1/areas/{code}': {
    in: () => ['/api/v1/areas/g1'],
    out: () => ['/api/v1/areas/g2'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'PATCH /api/v1/areas/{code}': {
    in: () => ['/api/v1/areas/g1', { name: '本网格' }],
    out: () => ['/api/v1/areas/g2', { name: '改名' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/areas/{code}/children': {
    in: () => ['/api/v1/areas/c1/children'],
    out: () => ['/api/v1/areas/c2/children'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/areas/{code}/card': {
    in: () => ['/api/v1/areas/g1/card'],
    out: () => ['/api/v1/areas/g2/card'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/areas/{code}/staff': {
    in: () => ['/api/v1/areas/g1/staff?position=grid_worker'],
    out: () => ['/api/v1/areas/g2/staff?position=grid_worker'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/areas/{code}/figures': {
    in: () => ['/api/v1/areas/c1/figures'],
    out: () => ['/api/v1/areas/c2/figures'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/ledgers': {
    in: () => ['/api/v1/ledgers?area=c1'],
    out: () => ['/api/v1/ledgers?area=c2'],
    expect: (role) => (CAN.peopleRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/ledgers/{name}/counts': {
    in: () => ['/api/v1/ledgers/party_member/counts?area=c1'],
    out: () => ['/api/v1/ledgers/party_member/counts?area=c2'],
    expect: (role) => (CAN.peopleRead.has(role) ? [200, 404] : [403, 403]),
  },
  'PUT /api/v1/residents/{id}/ledgers/{name}': {
    in: () => [`/api/v1/residents/${residentIds.in}/ledgers/volunteer`, { note: '周末' }],
    out: () => [`/api/v1/residents/${residentIds.out}/ledgers/volunteer`, {}],
    expect: (role) => (CAN.peopleWrite.has(role) ? [204, 404] : [403, 403]),
  },
  'DELETE /api/v1/residents/{id}/ledgers/{name}': {
    in: () => [`/api/v1/residents/${residentIds.in}/ledgers/volunteer`],
    out: () => [`/api/v1/residents/${residentIds.out}/ledgers/volunteer`],
    expect: (role) => (CAN.peopleWrite.has(role) ? [204, 404] : [403, 403]),
  },
  'POST /api/v1/staff': {
    in: () => ['/api/v1/staff', { area_code: 'g1', position: 'assistant', name: '辅助员' }],
    out: () => ['/api/v1/staff', { area_code: 'g2', position: 'assistant', name: '辅助员' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [201, 404] : [403, 403]),
  },
  'DELETE /api/v1/staff/{id}': {
    in: () => [`/api/v1/staff/${staffIds.in}`],
    out: () => [`/api/v1/staff/${staffIds.out}`],
    expect: (role) => (CAN.areasWrite.has(role) ? [204, 404] : [403, 403]),
  },
  'GET /api/v1/departments': {
    in: () => ['/api/v1/departments'],
    expect: (role) => (CAN.areasRead.has(role) ? [200] : [403]),
  },
  'POST /api/v1/departments': {
    in: () => ['/api/v1/departments', { code: `d${++serial}`, name: '供电公司', domains: 'power' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [201] : [403]),
  },
  'GET /api/v1/residents': {
    in: () => ['/api/v1/residents?q=本人'],
    out: () => [`/api/v1/residents?q=${OUT_RESIDENT.id_number}`],
    expect: (role) => (CAN.peopleRead.has(role) ? [200, 200] : [403, 403]),
  },
  'POST /api/v1/residents': {
    in: () => ['/api/v1/residents', IN_RESIDENT],
    out: () => ['/api/v1/residents', { ...OUT_RESIDENT, name: '外人丙' }],
    // Registering a number already in scope answers 409 with the resident.
    expect: (role) => (CAN.peopleWrite.has(role) ? [409, 400] : [403, 403]),
  },
  'GET /api/v1/residents/{id}': {
    in: () => [`/api/v1/residents/${residentIds.in}`],
    out: () => [`/api/v1/residents/${residentIds.out}`],
    expect: (role) => (CAN.peopleRead.has(role) ? [200, 404] : [403, 403]),
  },
  'PATCH /api/v1/residents/{id}': {
    in: () => [`/api/v1/residents/${residentIds.in}`, { status: 'active' }],
    out: () => [`/api/v1/residents/${residentIds.out}`, { status: 'deceased' }],
    expect: (role) => (CAN.peopleWrite.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/residents/{id}/history': {
    in: () => [`/api/v1/residents/${residentIds.in}/history`],
    out: () => [`/api/v1/residents/${residentIds.out}/history`],
    expect: (role) => (CAN.peopleRead.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/places': {
    in: () => ['/api/v1/places'],
    out: () => ['/api/v1/places?area_code=g2'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'POST /api/v1/places': {
    in: () => ['/api/v1/places', { code: `p${++serial}`, name: '店', kind: 'venue', type: 'shop', area_code: 'g1' }],
    out: () => ['/api/v1/places', { code: `p${++serial}`, name: '店', kind: 'venue', type: 'shop', area_code: 'g2' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [201, 404] : [403, 403]),
  },
  'GET /api/v1/places/{code}': {
    in: () => ['/api/v1/places/p_in'],
    out: () => ['/api/v1/places/p_out'],
    expect: (role) => (CAN.areasRead.has(role) ? [200, 404] : [403, 403]),
  },
  'PATCH /api/v1/places/{code}': {
    in: () => ['/api/v1/places/p_in', { status: 'active' }],
    out: () => ['/api/v1/places/p_out', { status: 'retired' }],
    expect: (role) => (CAN.areasWrite.has(role) ? [200, 404] : [403, 403]),
  },
  'GET /api/v1/import/kinds': { in: () => ['/api/v1/import/kinds'], expect: () => [200] },
  'POST /api/v1/import/{kind}': {
    in: () => ['/api/v1/import/residents?dry_run=1', `id_number,name,area_code\n${IN_RESIDENT.id_number},${IN_RESIDENT.name},g1\n`],
    out: () => ['/api/v1/import/residents?dry_run=1', `id_number,name,area_code\n${OUT_RESIDENT.id_number},外人丙,g2\n`],
    expect: (role) => (CAN.peopleWrite.has(role) ? [200, 422] : [403, 403]),
  },
  'GET /api/v1/audit': {
    in: () => ['/api/v1/audit?limit=1000'],
    out: () => ['/api/v1/audit?object=out_target'],
    expect: (role) => (CAN.auditRead.has(role) ? [200, 200] : [403, 403]),
  },
  // Policy profiles belong to the whole deployment: there is no outside to hide.
  'GET /api/v1/policies': {
    in: () => ['/api/v1/policies'],
    expect: (role) => (CAN.policyRead.has(role) ? [200] : [403]),
  },
  'GET /api/v1/policies/{name}': {
    in: () => ['/api/v1/policies/nhc-9'],
    expect: (role) => (CAN.policyRead.has(role) ? [200] : [403]),
  },
  'PUT /api/v1/policies/{name}': {
    in: () => [`/api/v1/policies/copy-${++serial}`, { text: repoFile('policy/nhc-20.conf') }],
    expect: (role) => (CAN.policyWrite.has(role) ? [200] : [403]),
  },
  'POST /api/v1/policies/{name}/activate': {
    in: () => ['/api/v1/policies/nhc-20/activate'],
    expect: (role) => (CAN.policyWrite.has(role) ? [200] : [403]),
  },
  'GET /api/v1/policy/active': {
    in: () => ['/api/v1/policy/active'],
    expect: (role) => (CAN.policyRead.has(role) ? [200] : [403]),
  },
  'GET /api/v1/cases': {
    in: () => ['/api/v1/cases'],
    out: () => ['/api/v1/cases?area_code=g2'],
    expect: (role) => (CAN.casesRead.has(role) ? [200, 404] : [403, 403]),
  },
  'POST /api/v1/cases': {
    in: () => ['/api/v1/cases', { type: 'event', category: 'sanitation.garbage', area_code: 'g1', title: '本网格事件' }],
    out: () => ['/api/v1/cases', { type: 'event', category: 'sanitation.garbage', area_code: 'g2', title: '外网格事件' }],
    expect: (role) => (CAN.casesRead.has(role) ? [201, 404] : [403, 403]),
  },
  'GET /api/v1/case-counts': {
    in: () => ['/api/v1/case-counts'],
    expect: (role) => (CAN.casesRead.has(role) ? [200] : [403]),
  },
  'GET /api/v1/cases/{id}': {
    in: () => [`/api/v1/cases/${caseIds.in}`],
    out: () => [`/api/v1/cases/${caseIds.out}`],
    expect: (role) => (seesCases(role) ? [200, 404] : CAN.casesRead.has(role) ? [404, 404] : [403, 403]),
  },
  // Copying to the case's own grid changes no state, so every role can try it.
  'POST /api/v1/cases/{id}/actions/{action}': {
    in: () => [`/api/v1/cases/${caseIds.in}/actions/copy`, { to: 'g1' }],
    out: () => [`/api/v1/cases/${caseIds.out}/actions/copy`, { to: 'g1' }],
    expect: (role) => (CAN.casesDispatch.has(role) ? [200, 404] : seesCases(role) ? [403, 404]
      : CAN.casesRead.has(role) ? [404, 404] : [403, 403]),
  },
  'POST /api/v1/cases/{id}/attachments': {
    in: () => [`/api/v1/cases/${caseIds.in}/attachments`, WEBP],
    out: () => [`/api/v1/cases/${caseIds.out}/attachments`, WEBP],
    expect: (role) => (seesCases(role) ? [201, 404] : CAN.casesRead.has(role) ? [404, 404] : [403, 403]),
  },
  'GET /api/v1/cases/{id}/attachments/{aid}': {
    in: () => [`/api/v1/cases/${caseIds.in}/attachments/${attachmentIds.in}`],
    out: () => [`/api/v1/cases/${caseIds.out}/attachments/${attachmentIds.out}`],
    expect: (role) => (seesCases(role) ? [200, 404] : CAN.casesRead.has(role) ? [404, 404] : [403, 403]),
  },
  // The catalogue belongs to the whole deployment.
  'GET /api/v1/case-categories': {
    in: () => ['/api/v1/case-categories'],
    expect: (role) => (CAN.casesRead.has(role) ? [200] : [403]),
  },
  'POST /api/v1/case-categories': {
    in: () => ['/api/v1/case-categories', { code: `s.cat${++serial}`, domain: 'other', zh: '类', en: 'Kind' }],
    expect: (role) => (CAN.casesCatalogue.has(role) ? [201] : [403]),
  },
  'GET /api/v1/case-categories/{code}': {
    in: () => ['/api/v1/case-categories/other.other'],
    expect: (role) => (CAN.casesRead.has(role) ? [200] : [403]),
  },
  'PATCH /api/v1/case-categories/{code}': {
    in: () => ['/api/v1/case-categories/other.other', { finish_days: 5 }],
    expect: (role) => (CAN.casesCatalogue.has(role) ? [200] : [403]),
  },
  // The calendar is the deployment's: every staff role reads it (deadlines),
  // only calendar.write marks days. A day marked by one role's PUT is
  // unmarked by its DELETE, so each writer leaves the calendar as it was.
  'GET /api/v1/calendar/days': {
    in: () => ['/api/v1/calendar/days?from=2026-01-01&to=2026-12-31'],
    expect: (role) => (CAN.policyRead.has(role) ? [200] : [403]),
  },
  'PUT /api/v1/calendar/days/{date}': {
    in: () => [`/api/v1/calendar/days/${calendarDay(++serial)}`, { kind: 'holiday', name: '测试' }],
    expect: (role) => (CAN.calendarWrite.has(role) ? [200] : [403]),
  },
  'DELETE /api/v1/calendar/days/{date}': {
    in: () => [`/api/v1/calendar/days/${calendarDay(serial)}`],
    expect: (role) => (CAN.calendarWrite.has(role) ? [204] : [403]),
  },
  'GET /api/v1/calendar/deadline': {
    in: () => ['/api/v1/calendar/deadline?start=2026-09-30&days=2'],
    expect: (role) => (CAN.policyRead.has(role) ? [200] : [403]),
  },
  // Figures count the cases of an area in scope; an area outside reads as missing.
  'GET /api/v1/case-figures': {
    in: () => ['/api/v1/case-figures?area_code=c1&by=domain'],
    out: () => ['/api/v1/case-figures?area_code=c2&by=domain'],
    expect: (role) => (CAN.casesRead.has(role) ? [200, 404] : [403, 403]),
  },
  // The export lists what the list would: cases in scope (a department's own).
  'GET /api/v1/cases/export': {
    in: () => ['/api/v1/cases/export?format=csv&area_code=c1'],
    out: () => ['/api/v1/cases/export?format=csv&area_code=c2'],
    expect: (role) => (CAN.casesRead.has(role) ? [200, 404] : [403, 403]),
  },
  // Overdue counts per unit are the dispatchers' (cards.c): only units in scope.
  'GET /api/v1/case-overdue': {
    in: () => ['/api/v1/case-overdue'],
    expect: (role) => (CAN.casesDispatch.has(role) ? [200] : [403]),
  },
  // The outbox's rows name cases and units, not people: the audit readers'.
  'GET /api/v1/system/outbox': {
    in: () => ['/api/v1/system/outbox'],
    expect: (role) => (CAN.auditRead.has(role) ? [200] : [403]),
  },
  // The scheduler's jobs hold no personal data and have no scope: the roles
  // that read the audit trail read them too.
  'GET /api/v1/system/jobs': {
    in: () => ['/api/v1/system/jobs'],
    expect: (role) => (CAN.auditRead.has(role) ? [200] : [403]),
  },
};

test('every route in the server has a row in the scope table', async () => {
  const r = await api('GET', '/api/v1/routes');
  const live = r.json.items.map((x) => `${x.method} ${x.path}`);
  for (const key of live) assert.ok(ROUTES[key], `route ${key} has no row in scope.test.mjs`);
  for (const key of Object.keys(ROUTES)) assert.ok(live.includes(key), `${key} is in the table but not in the server`);
  for (const x of r.json.items) assert.equal(x.public, !!ROUTES[`${x.method} ${x.path}`].public, `public flag of ${x.method} ${x.path}`);
});

test('non-public routes refuse anonymous callers with 401', async () => {
  for (const [key, row] of Object.entries(ROUTES)) {
    if (row.public) continue;
    const [method, pattern] = key.split(' ');
    const path = row.in ? row.in()[0] : pattern;
    const res = await api(method, path, null, row.in ? row.in()[1] : undefined);
    assert.equal(res.status, 401, `${key} without a token: ${res.text}`);
    assert.equal(res.json.error, 'unauthenticated');
  }
});

for (const role of ROLES) {
  test(`role ${role}: in scope allowed by role, out of scope invisible`, async () => {
    for (const [key, row] of Object.entries(ROUTES)) {
      if (row.public || row.skip) continue;
      const method = key.split(' ')[0];
      const [inStatus, outStatus] = row.expect(role);
      const [inPath, inBody] = row.in();
      const resIn = await api(method, inPath, tokens[role], inBody);
      assert.equal(resIn.status, inStatus, `${role} ${key} in scope: ${resIn.text}`);
      if (!row.out) continue;
      const [outPath, outBody] = row.out();
      const resOut = await api(method, outPath, tokens[role], outBody);
      assert.equal(resOut.status, outStatus, `${role} ${key} out of scope: ${resOut.text}`);
      for (const res of [resIn, resOut]) {
        // The audit trail shows callers their own actions, and searches made in
        // their scope with the query text someone typed; those echo input, not
        // records. An import report's errors name the refused cell of the
        // caller's own file (its value), input too, as does a field error's
        // `value` (the refused value the caller sent). Everything else in any
        // answer must be inside the scope.
        const seen = key === 'GET /api/v1/audit' && res.json?.items
          ? JSON.stringify(res.json.items
            .filter((e) => e.actor !== `as_${role}`)
            .map((e) => (e.action.endsWith('.list') ? { ...e, detail: null } : e)))
          : Array.isArray(res.json?.errors) && typeof res.json?.rows === 'number'
            ? JSON.stringify({ ...res.json, errors: res.json.errors.map((e) => ({ ...e, value: null })) })
            : res.json?.reason ? JSON.stringify({ ...res.json, value: null, message: null }) : res.text;
        for (const secret of OUTSIDE) {
          assert.ok(!seen.includes(`"${secret}"`), `${role} ${key} leaked "${secret}": ${seen}`);
        }
      }
    }
  });
}

test('out-of-scope 404 is indistinguishable from a missing record', async () => {
  const missing = await api('GET', '/api/v1/users/no_such_user', tokens.admin);
  const hidden = await api('GET', '/api/v1/users/out_target', tokens.admin);
  assert.equal(missing.status, 404);
  assert.equal(hidden.status, 404);
  assert.equal(hidden.json.error, missing.json.error);
  assert.equal(hidden.json.message, missing.json.message);
});

test('a refused action changes nothing', async () => {
  const r = await api('GET', '/api/v1/users/out_target', adminToken);
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'active', 'the county-scoped admin must not have disabled an outside user');
});
