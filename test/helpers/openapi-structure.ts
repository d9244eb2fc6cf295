// A focused structural check of an OpenAPI 3.1 document, for what a generator or
// a client would trip on: the version, operations without responses, $refs that
// lead nowhere, path parameters the template names but no one declares (or the
// other way round), duplicate operation ids, unknown security schemes and tags.
import { resolvePointer } from './json-schema-check.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_KEYS = new Set([...METHODS, 'parameters', 'summary', 'description', 'servers', '$ref']);
const STATUS = /^(default|[1-5](\d\d|XX))$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every `$ref` anywhere in `value`, with where it stands. */
function refs(value: unknown, at: string, out: Array<{ at: string; ref: unknown }>): void {
  if (Array.isArray(value)) value.forEach((item, i) => refs(item, `${at}/${i}`, out));
  else if (isObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref') out.push({ at, ref: inner });
      else refs(inner, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
    }
  }
}

export function structuralProblems(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the document is not an object'];
  if (typeof document.openapi !== 'string' || !/^3\.1\.\d+$/.test(document.openapi)) problems.push(`openapi is ${JSON.stringify(document.openapi)}, not 3.1.x`);
  if (!isObject(document.info) || typeof document.info.title !== 'string' || typeof document.info.version !== 'string')
    problems.push('info needs a title and a version');
  const components = isObject(document.components) ? document.components : {};
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  const tags = new Set(Array.isArray(document.tags) ? document.tags.map((t) => (isObject(t) ? t.name : undefined)) : []);

  for (const { at, ref } of (() => {
    const out: Array<{ at: string; ref: unknown }> = [];
    refs(document, '#', out);
    return out;
  })()) {
    if (typeof ref !== 'string' || resolvePointer(document, ref) === undefined) problems.push(`${at}: $ref ${JSON.stringify(ref)} does not resolve`);
  }

  const deref = (value: unknown): unknown => (isObject(value) && typeof value.$ref === 'string' ? resolvePointer(document, value.$ref) : value);
  const operationIds = new Set<string>();
  if (!isObject(document.paths)) return [...problems, 'paths is missing'];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: a path starts with /`);
    if (!isObject(item)) {
      problems.push(`${path}: not a path item`);
      continue;
    }
    for (const key of Object.keys(item)) if (!PATH_ITEM_KEYS.has(key)) problems.push(`${path}: unknown key ${key}`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    const parametersOf = (list: unknown): Array<Record<string, unknown>> => (Array.isArray(list) ? list.map(deref).filter(isObject) : []);
    const shared = parametersOf(item.parameters);
    const operations = METHODS.filter((m) => item[m] !== undefined);
    if (operations.length === 0) problems.push(`${path}: no operation`);
    for (const method of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const op = item[method];
      if (!isObject(op)) {
        problems.push(`${where}: not an operation`);
        continue;
      }
      if (typeof op.operationId === 'string') {
        if (operationIds.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is used twice`);
        operationIds.add(op.operationId);
      }
      const responses = isObject(op.responses) ? op.responses : {};
      if (Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, response] of Object.entries(responses)) {
        if (!STATUS.test(status)) problems.push(`${where}: response key ${status} is not a status`);
        const resolved = deref(response);
        if (!isObject(resolved) || typeof resolved.description !== 'string') problems.push(`${where} ${status}: a response needs a description`);
      }
      const parameters = [...shared, ...parametersOf(op.parameters)];
      for (const parameter of parameters) {
        if (typeof parameter.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(String(parameter.in)))
          problems.push(`${where}: a parameter needs a name and a place (${JSON.stringify(parameter)})`);
        if (parameter.schema === undefined && parameter.content === undefined) problems.push(`${where}: parameter ${String(parameter.name)} has no schema`);
      }
      const inPath = parameters.filter((p) => p.in === 'path');
      for (const name of templated) {
        const declared = inPath.find((p) => p.name === name);
        if (!declared) problems.push(`${where}: path parameter {${name}} is not declared`);
        else if (declared.required !== true) problems.push(`${where}: path parameter {${name}} must be required`);
      }
      for (const p of inPath) if (!templated.includes(String(p.name))) problems.push(`${where}: path parameter ${String(p.name)} is not in the path`);
      const security = Array.isArray(op.security) ? op.security : [];
      for (const requirement of security)
        for (const name of isObject(requirement) ? Object.keys(requirement) : [])
          if (!(name in schemes)) problems.push(`${where}: security scheme ${name} is not defined`);
      for (const tag of Array.isArray(op.tags) ? op.tags : []) if (!tags.has(tag)) problems.push(`${where}: tag ${String(tag)} is not declared`);
      const body = deref(op.requestBody);
      if (body !== undefined && (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0))
        problems.push(`${where}: a request body needs content`);
    }
  }
  return problems;
}
