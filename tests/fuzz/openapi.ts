/** The slice of OpenAPI 3.1 / JSON Schema the fuzzer reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  examples?: unknown[];
}

interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One operation of one service, as its OpenAPI document declares it. */
export interface Operation {
  service: string;
  method: string;
  /** The path template, e.g. /patients/{bsn}/dispenses. */
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  /** The JSON body schema, when the operation takes one. */
  body?: JsonSchema;
  /** Every method the document lists on this path (HEAD comes with GET: Fastify answers it). */
  methodsOnPath: string[];
  /** The document the schemas' $refs point into. */
  doc: OpenApiDocument;
}

/** Follow a local $ref (#/components/schemas/X); schemas here never nest refs more than a few deep. */
export function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let hops = 0; s.$ref !== undefined && hops < 10; hops++) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (target === undefined) throw new Error(`unresolved $ref ${s.$ref}`);
    // A property's own description may sit beside its $ref: the target's keywords are what count.
    s = target;
  }
  return s;
}

/** The name a $ref points at (BsnInput, UraInput...), which says more about a value than its JSON type. */
export const refName = (schema: JsonSchema) => schema.$ref?.replace('#/components/schemas/', '');

/** Every operation in a service's document, in document order (stable, so a seed replays the same cases). */
export function operationsOf(service: string, doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    const methodsOnPath = methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods;
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        service,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? {}, required: p.required === true })),
        ...(body !== undefined ? { body } : {}),
        methodsOnPath,
        doc,
      });
    }
  }
  return out;
}

export const operationName = (op: Pick<Operation, 'service' | 'method' | 'path'>) =>
  `${op.service} ${op.method} ${op.path}`;
