// The API description matches the server: every route the server has
// (GET /api/v1/routes) is in docs/api/openapi.yaml and every operation in the
// document is a route of the server, and the server serves that very document.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, repoFile, BACKEND } from './harness.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/**
 * The operations under `paths:` of an OpenAPI YAML document, as "METHOD /path"
 * strings. A tiny line-based reader, enough for this project's layout: path
 * keys indented by 2 spaces, method keys by 4.
 */
export function openapiOperations(yaml) {
  const ops = new Set();
  let inPaths = false;
  let current = null;
  for (const line of yaml.split('\n')) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*(#.*)?$/.test(line);
      current = null;
      continue;
    }
    if (!inPaths) continue;
    const p = /^ {2}(['"]?)(\/[^'"]*)\1:\s*(#.*)?$/.exec(line);
    if (p) { current = p[2]; continue; }
    if (/^ {2}\S/.test(line)) { current = null; continue; }
    const m = /^ {4}([a-z]+):/.exec(line);
    if (m && current && METHODS.includes(m[1])) ops.add(`${m[1].toUpperCase()} ${current}`);
  }
  return ops;
}

describe('OpenAPI reader', () => {
  // Proves: the tiny YAML reader above really reads paths and methods (so an
  // empty result below means an empty document, not a broken reader).
  it('the YAML reader reads paths and methods', () => {
    const ops = openapiOperations([
      'openapi: 3.1.0',
      'paths:',
      '  /healthz:',
      '    get:',
      '      summary: x',
      '  "/api/v1/users/{username}":',
      '    parameters: []',
      '    put:',
      '      responses: {}',
      '    delete:',
      'components:',
      '  schemas:',
      '    get:',
    ].join('\n'));
    assert.deepEqual([...ops].sort(), ['DELETE /api/v1/users/{username}', 'GET /healthz', 'PUT /api/v1/users/{username}']);
  });
});

describe(`OpenAPI document and the route table (${BACKEND})`, () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await srv?.stop(); });

  // Proves: the document the server serves is the one in the repository.
  it('GET /api/v1/openapi.yaml serves docs/api/openapi.yaml as YAML', async () => {
    const r = await request(srv.url, 'GET', '/api/v1/openapi.yaml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/yaml/);
    assert.equal(r.text, repoFile('docs/api/openapi.yaml'),
      'served document differs from docs/api/openapi.yaml (rebuild after editing it?)');
    assert.match(r.text, /^openapi: 3\./m);
  });

  // Proves: the route table and the document describe the same API, both ways.
  it('every route is documented and every documented operation is a route', async () => {
    const r = await request(srv.url, 'GET', '/api/v1/routes');
    assert.equal(r.status, 200, r.text);
    assert.ok(Array.isArray(r.json?.items), `no items in ${r.text}`);
    assert.ok(r.json.items.length > 0, 'the server reports no routes');
    const routes = new Set();
    for (const it of r.json.items) {
      assert.equal(typeof it.method, 'string');
      assert.match(it.path, /^\/[^:]*$/, `path parameters must be written {name}, not :name: ${it.path}`);
      routes.add(`${it.method.toUpperCase()} ${it.path}`);
    }
    for (const must of ['GET /healthz', 'GET /api/v1/version', 'GET /api/v1/routes', 'GET /api/v1/openapi.yaml']) {
      assert.ok(routes.has(must), `route table lacks ${must}`);
    }
    const documented = openapiOperations(repoFile('docs/api/openapi.yaml'));
    const undocumented = [...routes].filter((x) => !documented.has(x)).sort();
    const phantom = [...documented].filter((x) => !routes.has(x)).sort();
    assert.deepEqual(undocumented, [], `routes missing from docs/api/openapi.yaml:\n  ${undocumented.join('\n  ')}`);
    assert.deepEqual(phantom, [], `operations in docs/api/openapi.yaml the server does not have:\n  ${phantom.join('\n  ')}`);
  });
});
