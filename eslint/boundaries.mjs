// The project's layers, in one place: which folders may import which modules and packages.
// The first layer whose `files` match a file applies to it. Type-only imports are erased at
// build time, so a layer may name modules it may import for their types only.

/**
 * dsl/ modules that are safe inside the workflow sandbox: deterministic, no I/O, no `eval`.
 * They may import only each other (and any dsl/ module for its types), so the workflow bundle
 * can never reach Ajv, `yaml` or `node:*` through them.
 */
export const PURE_DSL_MODULES = [
  'dsl/alert',
  'dsl/bounded-cache',
  'dsl/catalog',
  'dsl/compiled',
  'dsl/compiled-base',
  'dsl/definition-hash',
  'dsl/diagnostics',
  'dsl/durations',
  'dsl/expressions',
  'dsl/guard',
  'dsl/hash',
  'dsl/inputs',
  'dsl/kinds',
  'dsl/kinds/**',
  'dsl/regex',
  'dsl/route-labels',
  'dsl/schema',
  'dsl/schema-parts',
  'dsl/schema-walk',
  'dsl/secrets',
  'dsl/sensitive',
  'dsl/values',
];

/** Packages with no I/O and no `eval` (TypeBox's type builders, CEL, RE2, hashing). */
const PURE_PACKAGES = ['@sinclair/typebox', '@marcbachmann/cel-js', 're2js', '@noble/hashes/**'];

export const LAYERS = [
  {
    name: 'workflows/',
    why: 'workflow code is replayed in a sandbox: only the workflow SDK, the contract and the pure dsl modules',
    files: ['workflows/**'],
    modules: ['workflows/**', 'contract/**', ...PURE_DSL_MODULES],
    typeModules: ['dsl/**'],
    // @cfworker/json-schema validates without `eval`, which the sandbox forbids (Ajv needs it).
    packages: ['@temporalio/workflow', '@temporalio/common', '@cfworker/json-schema'],
  },
  {
    name: 'contract/',
    why: 'what workflows, activities and clients share must load in all three',
    files: ['contract/**'],
    modules: ['contract/**', ...PURE_DSL_MODULES],
    typeModules: ['dsl/**'],
    packages: ['@temporalio/workflow', '@temporalio/common'],
  },
  {
    name: 'a pure dsl module',
    why: 'it is listed in eslint/boundaries.mjs as safe for the workflow sandbox',
    files: PURE_DSL_MODULES,
    modules: PURE_DSL_MODULES,
    typeModules: ['dsl/**'],
    packages: PURE_PACKAGES,
  },
  {
    name: 'dsl/',
    why: 'the language is parsed, checked and compiled without I/O',
    files: ['dsl/**'],
    modules: ['dsl/**'],
    packages: ['yaml', 'ajv', ...PURE_PACKAGES],
  },
  {
    name: 'activities/',
    why: 'activities never import workflow code',
    files: ['activities/**'],
    modules: ['activities/**', 'contract/**', 'dsl/**', 'repository/**'],
    packages: ['**'],
  },
];
