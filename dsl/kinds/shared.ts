// Pieces several step kinds share.
import type { ExpressionSite, KindNode } from './kind';
import { isRecord } from '../values';

/** `compensate.with` holds expressions that may read the step's own outputs (and secrets). */
export function compensationSites(node: KindNode): ExpressionSite[] {
  return [{ role: 'compensate', path: [...node.path, 'compensate', 'with'], value: isRecord(node.raw.compensate) ? node.raw.compensate.with : undefined }];
}
