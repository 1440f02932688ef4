import ajvModule, { type ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

/**
 * Validation and serialization compiled once from the zod schemas (zod stays the one source; issue #15):
 * `z.toJSONSchema` gives the JSON Schema, ajv compiles a validator and fast-json-stringify a serializer.
 *
 * What JSON Schema cannot say is kept exactly as zod says it:
 * - a schema with its own check (the 11-proef of a BSN, the digits of an URA, a cross-field refinement) gets
 *   the keyword `x-zod`, which runs that one zod schema on that one value;
 * - a strict object refuses unknown keys as zod does (`additionalProperties: false`); a plain `z.object`
 *   accepts them as zod does, and they go no further: zod would strip them, here the answer's compiled
 *   serializer writes only the documented fields (stripping in ajv would be wrong inside an `anyOf`,
 *   where a failing branch could delete what the next one needs);
 * - defaults are filled in (ajv's useDefaults, from zod's `default`).
 * Whatever the compiled validator refuses is parsed again by zod, so a refusal carries exactly the codes,
 * fields and messages it always had; only accepted values take the compiled path. A test holds both paths
 * to the same answers (services/lsp/test/compiled.test.ts).
 */
const checkedBy = new Map<number, z.ZodType>();

// ajv is CommonJS: its class is the module itself, and also its `default` (which is what TypeScript sees).
const ajv = new ajvModule.default({
  allErrors: false,
  useDefaults: true,
  // Formats are checked by the patterns zod emits next to them (and by x-zod where it has its own check).
  validateFormats: false,
  // zod's patterns are JavaScript regular expressions, not all valid with the u flag.
  unicodeRegExp: false,
  strict: false,
  // The schemas are ours and fixed: the ids of x-zod are numbers into `checkedBy`.
  code: { optimize: true },
});
ajv.addKeyword({
  keyword: 'x-zod',
  schemaType: 'number',
  errors: false,
  validate: (id: number, data: unknown) => checkedBy.get(id)?.safeParse(data).success === true,
});

interface ZodInternals {
  _zod: { def: { checks?: { _zod: { def: { check: string } } }[] } };
}

/** The JSON Schema of a zod schema as its input is checked, with x-zod where zod checks more. */
function inputSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'throw',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as ZodInternals)._zod.def;
      if (def.checks?.some((c) => c._zod.def.check === 'custom') === true) {
        const id = checkedBy.size + 1;
        checkedBy.set(id, ctx.zodSchema as unknown as z.ZodType);
        ctx.jsonSchema['x-zod'] = id;
      }
    },
  });
}

export type CompiledCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; error: z.ZodError };

/**
 * A compiled check of untrusted JSON (what a source answers): the value, with zod's defaults, or zod's own
 * error. The value may be changed in place (defaults filled in: it was just parsed for this call).
 */
export function compileCheck<S extends z.ZodType>(schema: S): CompiledCheck<z.output<S>> {
  const validate = compileValidator(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value: value as z.output<S> };
    const parsed = schema.safeParse(value);
    // Both agree in the tests; should they ever differ on an accepted value, zod's answer stands.
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error };
  };
}

const validators = new WeakMap<object, ValidateFunction>();

/** The ajv validator of a zod schema, compiled once per schema (exported for the test that holds it to zod). */
export function compileValidator(schema: z.ZodType): ValidateFunction {
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(inputSchema(schema));
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Fastify's validator compiler for a hot route: ajv on the compiled schema, and on a refusal the type
 * provider's zod validator (`fallback`), so refused requests get the same problem+json as every other route.
 */
export function compiledValidatorCompiler(fallback: FastifySchemaCompiler<unknown> | undefined) {
  if (fallback === undefined) throw new Error('the app has no validator compiler to fall back on');
  const compiler: FastifySchemaCompiler<unknown> = (route) => {
    const zodValidate = fallback(route);
    // Routes of this app only have zod schemas (the type provider's).
    const compiled = compileValidator(route.schema as z.ZodType);
    return (data) => (compiled(data) ? { value: data } : zodValidate(data));
  };
  return compiler;
}

/**
 * The serializer of a hot route whose 2xx answer our own typed code builds from checked parts (the
 * request, validated source answers): fast-json-stringify compiled from the response schema, which writes
 * exactly the documented fields (as zod's parse of our answer did) without parsing it. Other statuses
 * keep the kit's zod serializer.
 */
export function compiledSerializerCompiler(fallback: FastifySerializerCompiler<unknown>) {
  const compiler: FastifySerializerCompiler<unknown> = (route) => {
    if (route.httpStatus?.startsWith('2') !== true) return fallback(route);
    return compileSerializer(route.schema as z.ZodType);
  };
  return compiler;
}

export function compileSerializer(schema: z.ZodType): (data: unknown) => string {
  const json = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'throw' });
  return fastJson(forWriting(json) as Parameters<typeof fastJson>[0]);
}

/**
 * What a serializer needs of a schema: the shape. fast-json-stringify checks nothing of `pattern` or
 * `maxLength`, and `format: date` makes it handle every date string as a possible Date (half its time on a
 * batch, measured); the values were checked on the way in.
 */
const NOT_FOR_WRITING = new Set(['format', 'pattern', 'minLength', 'maxLength', 'description', 'examples']);
function forWriting(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forWriting);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    // A property may be called "description" (a schema's keywords are only skipped where they are keywords).
    if (k === 'properties' || k === 'definitions')
      out[k] = Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, forWriting(s)]));
    else if (!NOT_FOR_WRITING.has(k)) out[k] = forWriting(v);
  }
  return out;
}
