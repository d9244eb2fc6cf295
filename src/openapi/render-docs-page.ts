// The document as one HTML page for people (GET /docs/), rendered on the server:
// no script at all, so it runs under the reviewer page's policy unchanged and
// needs nothing from outside the gate.
import {
  HTTP_METHODS,
  type MediaType,
  type OpenApiDocument,
  type Operation,
  type Parameter,
  type Reference,
  type Response,
  type Schema,
  type SecurityRequirement,
} from './openapi-types.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline code in descriptions (`…`) as <code>; everything else escaped. */
function prose(text: string | undefined): string {
  if (!text) return '';
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function anchorOf(ref: string): string {
  return ref.replace(/^#\/components\//, '').replace(/\//g, '-');
}

/** A schema as indented JSON, each $ref a link to what it names. */
function schemaBlock(schema: Schema): string {
  const json = escapeHtml(JSON.stringify(schema, null, 2));
  return `<pre>${json.replace(/&#34;(#\/components\/[^&]+)&#34;/g, (_, ref: string) => `&#34;<a href="#${anchorOf(ref)}">${ref}</a>&#34;`)}</pre>`;
}

function refLink(ref: string): string {
  return `<a href="#${anchorOf(ref)}">${escapeHtml(ref.split('/').pop() ?? ref)}</a>`;
}

function whoMayCall(security: readonly SecurityRequirement[]): string {
  if (security.length === 0) return 'no token';
  return security
    .map((requirement) => {
      const names = Object.keys(requirement);
      return names.length === 0
        ? 'no token while none of the role is configured'
        : names.map((name) => `<a href="#securitySchemes-${escapeHtml(name)}">${escapeHtml(name)}</a> token`).join(' and ');
    })
    .join(' · ');
}

function parameterRow(parameter: Parameter | Reference): string {
  if ('$ref' in parameter) return `<tr><td colspan="4">${refLink(parameter.$ref)}</td></tr>`;
  const schema = parameter.schema.$ref ? refLink(parameter.schema.$ref) : `<code>${escapeHtml(JSON.stringify(parameter.schema))}</code>`;
  return `<tr><td><code>${escapeHtml(parameter.name)}</code></td><td>${parameter.in}${parameter.required ? ', required' : ''}</td><td>${schema}</td><td>${prose(parameter.description)}</td></tr>`;
}

function contentBlock(content: Readonly<Record<string, MediaType>> | undefined): string {
  if (!content) return '';
  const types = Object.keys(content);
  const first = Object.values(content).find((media) => media.schema !== undefined);
  const schema = first?.schema;
  const shown = schema === undefined ? '' : schema.$ref && Object.keys(schema).length === 1 ? `<p>Schema: ${refLink(schema.$ref)}</p>` : schemaBlock(schema);
  return `<p class="types">${types.map((t) => `<code>${escapeHtml(t)}</code>`).join(' ')}</p>${shown}`;
}

function responseRow(status: string, response: Response | Reference): string {
  if ('$ref' in response) return `<tr><td>${escapeHtml(status)}</td><td>${refLink(response.$ref)}</td></tr>`;
  return `<tr><td>${escapeHtml(status)}</td><td>${prose(response.description)}${contentBlock(response.content)}</td></tr>`;
}

function operationSection(method: string, path: string, op: Operation): string {
  const parts = [
    `<section class="operation" id="op-${escapeHtml(op.operationId)}">`,
    `<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>`,
    `<p class="summary">${prose(op.summary)}</p>`,
    op.description ? `<p>${prose(op.description)}</p>` : '',
    `<p class="who">Who may call: ${whoMayCall(op.security)}</p>`,
  ];
  if (op.parameters?.length) parts.push(`<h4>Parameters</h4><table>${op.parameters.map(parameterRow).join('')}</table>`);
  if (op.requestBody)
    parts.push(
      `<h4>Body</h4>${'$ref' in op.requestBody ? refLink(op.requestBody.$ref) : prose(op.requestBody.description) + contentBlock(op.requestBody.content)}`,
    );
  parts.push(
    `<h4>Answers</h4><table>${Object.entries(op.responses)
      .map(([status, response]) => responseRow(status, response))
      .join('')}</table>`,
    '</section>',
  );
  return parts.join('\n');
}

export function renderDocsPage(document: OpenApiDocument): string {
  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags[0] ?? 'other';
      const list = byTag.get(tag) ?? [];
      list.push({ method, path, op });
      byTag.set(tag, list);
    }
  }
  const tags = document.tags.filter((tag) => byTag.has(tag.name));
  const toc = tags
    .map(
      (tag) =>
        `<li><a href="#tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</a><ul>${(byTag.get(tag.name) ?? []).map(({ method, path, op }) => `<li><a href="#op-${escapeHtml(op.operationId)}"><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></a></li>`).join('')}</ul></li>`,
    )
    .join('');
  const sections = tags
    .map(
      (tag) =>
        `<section id="tag-${escapeHtml(tag.name)}"><h2>${escapeHtml(tag.name)}</h2><p>${prose(tag.description)}</p>${(byTag.get(tag.name) ?? []).map(({ method, path, op }) => operationSection(method, path, op)).join('\n')}</section>`,
    )
    .join('\n');
  const { components } = document;
  const schemes = Object.entries(components.securitySchemes)
    .map(
      ([name, scheme]) =>
        `<dt id="securitySchemes-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></dt><dd>Bearer token (<code>authorization: Bearer …</code>): ${prose(scheme.description)}</dd>`,
    )
    .join('');
  const errors = Object.entries(components.responses)
    .map(([name, response]) => `<dt id="responses-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></dt><dd>${prose(response.description)}</dd>`)
    .join('');
  const schemas = Object.entries(components.schemas)
    .map(([name, schema]) => `<section id="schemas-${escapeHtml(name)}"><h3><code>${escapeHtml(name)}</code></h3>${schemaBlock(schema)}</section>`)
    .join('\n');
  const parameters = Object.entries(components.parameters)
    .map(
      ([name, parameter]) =>
        `<dt id="parameters-${escapeHtml(name)}"><code>${escapeHtml(parameter.name)}</code> (${parameter.in})</dt><dd>${prose(parameter.description)}</dd>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} API ${escapeHtml(document.info.version)}</title>
<link rel="stylesheet" href="/docs/docs.css">
</head>
<body>
<header>
<h1>${escapeHtml(document.info.title)} API <small>${escapeHtml(document.info.version)}</small></h1>
<p>${prose(document.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(document.openapi)}).</p>
</header>
<nav><h2>Routes</h2><ul>${toc}</ul></nav>
<main>
${sections}
<section id="tokens"><h2>Tokens</h2><dl>${schemes}</dl></section>
<section id="errors"><h2>Error answers</h2><p>Every error is <a href="#schemas-ErrorBody">ErrorBody</a>: <code>{ "error": { "code", "message", "field"?, "details"? } }</code>.</p><dl>${errors}</dl></section>
<section id="parameters"><h2>Shared parameters</h2><dl>${parameters}</dl></section>
<section id="schemas"><h2>Schemas</h2>${schemas}</section>
</main>
</body>
</html>
`;
}
