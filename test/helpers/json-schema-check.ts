// A JSON Schema 2020-12 checker for the keywords the gate's OpenAPI document uses
// (no validator library is among the dependencies). A keyword it does not know
// is reported, never skipped: a constraint the document gains later cannot pass
// unchecked.

type Json = unknown;

const ANNOTATIONS = new Set(['title', 'description', 'format', 'default', 'examples', 'contentMediaType', 'deprecated']);
const CHECKED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'anyOf',
  'oneOf',
]);

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(type: string, value: Json): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      throw new Error(`unknown type ${type}`);
  }
}

/** Resolves `#/a/b` in the document. */
export function resolvePointer(document: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local refs are used, got ${ref}`);
  let at: Json = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(at) || !(key in at)) return undefined;
    at = at[key];
  }
  return at;
}

/** Every way `value` breaks `schema`, each with the path of the value; empty when it conforms. */
export function schemaProblems(document: Json, schema: Json, value: Json, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value is allowed`];
  if (!isObject(schema)) return [`${path}: the schema is not an object`];
  const problems: string[] = [];
  for (const key of Object.keys(schema)) if (!CHECKED.has(key) && !ANNOTATIONS.has(key)) problems.push(`${path}: the checker does not know keyword ${key}`);
  if (typeof schema.$ref === 'string') {
    const target = resolvePointer(document, schema.$ref);
    if (target === undefined) return [`${path}: $ref ${schema.$ref} does not resolve`];
    problems.push(...schemaProblems(document, target, value, path));
  }
  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((t) => typeMatches(t, value))) return [...problems, `${path}: must be ${types.join(' or ')}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    problems.push(`${path}: must be one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) problems.push(`${path}: must be ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) problems.push(`${path}: longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${path}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) problems.push(`${path}: not above ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) problems.push(`${path}: items repeat`);
    if (schema.items !== undefined) value.forEach((item, i) => problems.push(...schemaProblems(document, schema.items, item, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const properties = isObject(schema.properties) ? schema.properties : {};
    if (Array.isArray(schema.required)) for (const name of schema.required as string[]) if (!(name in value)) problems.push(`${path}.${name}: is required`);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) problems.push(`${path}: fewer than ${schema.minProperties} properties`);
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) problems.push(`${path}: more than ${schema.maxProperties} properties`);
    for (const key of keys) {
      if (schema.propertyNames !== undefined) problems.push(...schemaProblems(document, schema.propertyNames, key, `${path}{${key}}`));
      if (key in properties) problems.push(...schemaProblems(document, properties[key], value[key], `${path}.${key}`));
      else if (schema.additionalProperties !== undefined) problems.push(...schemaProblems(document, schema.additionalProperties, value[key], `${path}.${key}`));
    }
  }
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((option) => schemaProblems(document, option, value, path).length === 0))
    problems.push(`${path}: matches none of anyOf`);
  if (Array.isArray(schema.oneOf) && schema.oneOf.filter((option) => schemaProblems(document, option, value, path).length === 0).length !== 1)
    problems.push(`${path}: does not match exactly one of oneOf`);
  return problems;
}
