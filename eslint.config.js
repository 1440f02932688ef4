// Lint for the mistakes that bite services (after medplum's eslint config): floating promises, non-exhaustive switches
// over unions, type-only imports, and focused tests left behind. typescript-eslint's strict type-checked
// set is the base; every rule switched off or relaxed below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'tools/bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      // One program for the whole repository (the root tsconfig, as `npm run typecheck` uses): the project
      // service built one per workspace tsconfig, and with the FHIR types loaded it needed over 4 GB and
      // ran out of heap; with one program the whole lint takes about a minute and 1.8 GB.
      parserOptions: { project: ['./tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      // Fastify plugins and hooks, migrations and store ports are async by contract; one that awaits nothing
      // still hands its caller the promise the interface promises.
      '@typescript-eslint/require-await': 'off',
      // With noUncheckedIndexedAccess, `!` marks an index or DOM node the line above has checked (regex groups,
      // a length test, documentElement of a parsed document); the alternative is a throw per line.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `(err) => reject(err)` and `() => reply.send(x)` callbacks read better as arrow shorthand.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Numbers and booleans read plainly in messages and URLs (ports, counts, flags); objects, nullish still flagged.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name='only']",
          message: 'Focused test left in (.only).',
        },
        {
          // Request bodies are typed by the zod type provider from the route schema, never cast (issue #11).
          selector:
            ":matches(TSAsExpression, TSTypeAssertion) > MemberExpression.expression[object.name=/^(req|request)$/][property.name='body']",
          message: 'Do not cast request.body: declare a body schema on the route and let the type provider type it.',
        },
        {
          // A store takes the Kysely<Database> it needs; a cast hides a mismatch between stores (issue #11).
          selector:
            ":matches(TSAsExpression, TSTypeAssertion) > TSTypeReference.typeAnnotation[typeName.name='Kysely']",
          message: 'Do not cast to Kysely<...>: give the store the database type it needs.',
        },
      ],
    },
  },
  {
    // Plain Node.js scripts (the integrator's example client).
    files: ['**/*.mjs'],
    languageOptions: { globals: { Buffer: 'readonly', URL: 'readonly', console: 'readonly', process: 'readonly' } },
  },
  {
    // Tests read loosely typed JSON answers from real HTTP (fetch, undici) and from inject(); `res.json()` is
    // `any` by design there, and asserting its shape is what the test itself does.
    files: ['tests/**/*.ts', '**/test/**/*.ts', 'tools/testkit/examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A `let x: T` set in beforeAll is undefined when setup failed; afterAll's `x?.close()` must not throw then.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // The scenario runner and the testkit's front-office and container helpers read the answers of real
    // systems (an integrator's too) as loose JSON: the scenario's expectations are the check, with the
    // matcher in scenarios/match.ts, exactly as a test asserts the shape of what it got.
    files: [
      'tools/testkit/src/scenarios/**/*.ts',
      'tools/testkit/src/front-office.ts',
      'tools/testkit/src/container.ts',
    ],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
