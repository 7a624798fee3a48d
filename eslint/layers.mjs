// An ESLint rule for the project's layers: which files may import which modules. Relative imports
// are resolved to project paths and checked against the allowlist of the importing file's layer;
// package imports against its list of packages. Type-only imports can be allowed separately: they
// are erased at build time, so they cost a workflow bundle nothing.
import path from 'node:path';

/** @param {string} pattern a project path with `*` (within a segment) and `**` (any depth) */
function toRegExp(pattern) {
  const body = pattern
    .split('**')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

const matches = (patterns, value) => patterns.some((p) => toRegExp(p).test(value));

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each folder to the modules its layer may import' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'array' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      module: '{{layer}} may not import `{{target}}`{{why}}',
      package: '{{layer}} may not import the package `{{target}}`{{why}}',
    },
  },
  create(context) {
    const { root, layers } = context.options[0];
    const projectPath = (absolute) =>
      path
        .relative(root, absolute)
        .split(path.sep)
        .join('/')
        .replace(/\.(ts|js|mjs|cjs)$/, '');
    // Layers name modules as import paths do: relative to the root, without the extension.
    const file = projectPath(context.filename);
    const layer = layers.find((l) => matches(l.files, file));
    if (!layer) return {};
    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string') return;
      const why = layer.why ? ` (${layer.why})` : '';
      if (source.startsWith('.')) {
        const target = projectPath(path.resolve(path.dirname(context.filename), source));
        const allowed = [...(layer.modules ?? []), ...(typeOnly ? (layer.typeModules ?? []) : [])];
        if (!matches(allowed, target)) context.report({ node, messageId: 'module', data: { layer: layer.name, target, why } });
      } else {
        const allowed = [...(layer.packages ?? []), ...(typeOnly ? (layer.typePackages ?? []) : [])];
        if (!matches(allowed, source)) context.report({ node, messageId: 'package', data: { layer: layer.name, target: source, why } });
      }
    };
    const typeOnly = (node) => node.importKind === 'type' || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, typeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
      TSImportType: (node) => {
        const source = node.argument?.literal?.value ?? node.argument?.value;
        check(node, source, true);
      },
    };
  },
};
