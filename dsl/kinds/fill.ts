// `fill`: Claude (or a person) fills values within the step's JSON Schema; later steps read
// them as `steps.<id>.outputs.<name>`.
import { Type, type Static } from '@sinclair/typebox';
import { doc } from '../schema-parts';
import { usesKeyword } from '../schema-walk';
import { isRecord } from '../values';
import { ADVISOR_ACCEPTS, advisorFields, advisorRoutes, advisorSites, checkEvidence, compileAdvisor, type AdvisorDoc, type AdvisorStepBase } from './advisor';
import type { CheckContext, KindDescriptor, KindNode } from './kind';

export interface FillStep extends AdvisorStepBase {
  kind: 'fill';
  schema: Record<string, unknown>;
}

const FillSchema = Type.Object(
  {
    ...advisorFields,
    schema: Type.Record(Type.String(), Type.Unknown(), doc('JSON Schema (an object) the values must satisfy.')),
  },
  { additionalProperties: false, ...doc('Claude fills values within a declared JSON Schema.') },
);
type FillDoc = AdvisorDoc & Static<typeof FillSchema>;

const schemaOf = (node: KindNode) => (isRecord(node.raw.fill) && isRecord(node.raw.fill.schema) ? node.raw.fill.schema : undefined);

export const fill: KindDescriptor<FillStep, { fill?: FillDoc }> = {
  kind: 'fill',
  key: 'fill',
  accepts: ADVISOR_ACCEPTS,
  fields: () => ({ fill: Type.Optional(FillSchema) }),
  routes: (node) => advisorRoutes(node, 'fill'),
  expressions: (node) => advisorSites(node, 'fill'),
  check(node, ctx) {
    checkSchema(node, ctx);
    checkEvidence(node, 'fill', ctx);
  },
  // The values are what the step's schema declares.
  outputs(node) {
    const schema = schemaOf(node);
    return schema && isRecord(schema.properties) ? Object.keys(schema.properties) : undefined;
  },
  compile: (raw, ctx) => ({ kind: 'fill', ...compileAdvisor(raw.fill!, raw, ctx), schema: raw.fill!.schema }),
  describe: () => 'fill',
};

function checkSchema(node: KindNode, ctx: CheckContext): void {
  const schema = schemaOf(node);
  if (!schema) return;
  const path = [...node.path, 'fill', 'schema'];
  if (schema.type !== 'object') {
    ctx.report('bad-json-schema', path, `\`schema\` of fill step \`${node.id}\` must describe an object (\`type: object\`)`, undefined, 'key');
  } else if (usesKeyword(schema, 'patternProperties')) {
    // The workflow checks a person's values with its own validator, whose key patterns cannot run on RE2.
    ctx.report(
      'bad-json-schema',
      path,
      `\`schema\` of fill step \`${node.id}\` uses \`patternProperties\`, which fill schemas do not support`,
      'name the properties, or use `additionalProperties` with `propertyNames`',
      'key',
    );
  } else {
    const problem = ctx.schemaProblem(schema);
    if (problem !== undefined)
      ctx.report('bad-json-schema', path, `\`schema\` of fill step \`${node.id}\` is not a valid JSON Schema: ${problem}`, undefined, 'key');
  }
}
