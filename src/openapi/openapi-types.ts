// The part of OpenAPI 3.1 (and of its JSON Schema 2020-12 dialect) the gate's
// document uses, typed so that a misspelt keyword fails to compile.

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface Schema {
  /** In 3.1 a schema's $ref may stand beside other keywords. */
  $ref?: string;
  title?: string;
  description?: string;
  type?: JsonType | readonly JsonType[];
  enum?: readonly JsonValue[];
  const?: JsonValue;
  format?: string;
  contentMediaType?: string;
  // strings; lengths in JSON Schema count code points, the gate's validators UTF-16 units (the same outside the astral planes)
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  // numbers
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  // arrays
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  // objects
  properties?: Readonly<Record<string, Schema>>;
  required?: readonly string[];
  additionalProperties?: Schema | boolean;
  propertyNames?: Schema;
  minProperties?: number;
  maxProperties?: number;
  oneOf?: readonly Schema[];
  anyOf?: readonly Schema[];
  default?: JsonValue;
  examples?: readonly JsonValue[];
}

export interface Reference {
  $ref: string;
  description?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description?: string;
  required?: boolean;
  schema: Schema;
}

export interface MediaType {
  schema?: Schema;
  example?: JsonValue;
}

export interface RequestBody {
  description?: string;
  required?: boolean;
  content: Readonly<Record<string, MediaType>>;
}

export interface Header {
  description?: string;
  schema: Schema;
}

export interface Response {
  description: string;
  headers?: Readonly<Record<string, Header | Reference>>;
  content?: Readonly<Record<string, MediaType>>;
}

/** Each name is one of the document's security schemes; `{}` alone means no token is needed. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  parameters?: readonly (Parameter | Reference)[];
  requestBody?: RequestBody | Reference;
  responses: Readonly<Record<string, Response | Reference>>;
  security: readonly SecurityRequirement[];
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type PathItem = Partial<Record<HttpMethod, Operation>> & { parameters?: readonly (Parameter | Reference)[] };

export type Paths = Readonly<Record<string, PathItem>>;

export interface SecurityScheme {
  type: 'http';
  scheme: 'bearer';
  description: string;
}

export interface Tag {
  name: string;
  description: string;
}

export interface Components {
  schemas: Readonly<Record<string, Schema>>;
  responses: Readonly<Record<string, Response>>;
  parameters: Readonly<Record<string, Parameter>>;
  headers: Readonly<Record<string, Header>>;
  securitySchemes: Readonly<Record<string, SecurityScheme>>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  tags: readonly Tag[];
  paths: Paths;
  components: Components;
}

/** One file's routes: their tag, their paths and the schemas they bring. */
export interface RouteGroup {
  tag: Tag;
  paths: Paths;
  schemas?: Readonly<Record<string, Schema>>;
}
