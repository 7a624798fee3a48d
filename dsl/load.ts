// YAML text -> plain value plus a map back to line:col, with hard limits so a hostile file
// (alias bomb, deep nesting, 10 MB) is refused quickly instead of eating the process.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic, DiagnosticCode } from './diagnostics';

export const LOAD_LIMITS = {
  /** No real runbook comes near this; anything bigger is a mistake or an attack. */
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxAliasCount: 100,
};

export type Path = readonly (string | number)[];
export interface Position {
  line: number;
  col: number;
}

export interface SourceMap {
  readonly file: string;
  /** Position of the key (`part: 'key'`) or of the value at a path; the nearest existing parent when the path is missing. */
  locate(path: Path, part?: 'key' | 'value'): Position;
  /** Position of a character inside the string value at a path (for faults inside expressions). */
  locateInString(path: Path, offset: number): Position;
}

export interface Loaded {
  value: unknown;
  source: SourceMap;
  diagnostics: Diagnostic[];
}

const START: Position = { line: 1, col: 1 };

/** The diagnostic for a runbook over the size limit; undefined when it is within it. */
export function fileTooLarge(file: string, bytes: number): Diagnostic | undefined {
  if (bytes <= LOAD_LIMITS.maxBytes) return undefined;
  return diagnostic(file, START, 'file-too-large', `runbook is ${mib(bytes)}; the limit is ${mib(LOAD_LIMITS.maxBytes)}`);
}

export function loadYaml(text: string, file: string): Loaded {
  const tooLarge = fileTooLarge(file, Buffer.byteLength(text, 'utf8'));
  if (tooLarge) return { value: undefined, source: { file, locate: () => START, locateInString: () => START }, diagnostics: [tooLarge] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2', logLevel: 'error' });
  const source = sourceMap(file, doc, lineCounter, text);
  const diagnostics: Diagnostic[] = [];
  // prettyErrors is off (we print our own message), so positions come from the offsets.
  const at = (e: { pos: [number, number] }): Position => lineCounter.linePos(e.pos[0]);
  for (const err of doc.errors) {
    const pos = at(err);
    const tooDeep = err.message.includes('call stack');
    diagnostics.push(
      diagnostic(file, pos, tooDeep ? 'too-deep' : 'yaml-syntax', tooDeep ? `nesting is deeper than this parser allows` : yamlMessage(err.message)),
    );
  }
  for (const warn of doc.warnings) {
    diagnostics.push({ ...diagnostic(file, at(warn), 'yaml-syntax', yamlMessage(warn.message)), severity: 'warning' });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { value: undefined, source, diagnostics };

  const shape = shapeProblem(doc);
  if (shape) {
    const message =
      shape.problem === 'too-deep' ? `nesting is deeper than ${LOAD_LIMITS.maxDepth} levels` : 'a key must be a plain value, not a list or mapping';
    diagnostics.push(diagnostic(file, rangeStart(shape.node, lineCounter), shape.problem, message));
    return { value: undefined, source, diagnostics };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: LOAD_LIMITS.maxAliasCount });
  } catch (err) {
    const alias = firstAlias(doc);
    const pos = alias ? rangeStart(alias, lineCounter) : START;
    const message = (err as Error).message;
    // An alias whose anchor is missing is a plain mistake, not an attack: say which.
    const unresolved = /^Unresolved alias[^:]*: (.+)$/.exec(message);
    if (unresolved) diagnostics.push(diagnostic(file, pos, 'yaml-syntax', `alias \`*${unresolved[1]}\` has no anchor \`&${unresolved[1]}\` before it`));
    else diagnostics.push(diagnostic(file, pos, 'alias-limit', `aliases expand too much (more than ${LOAD_LIMITS.maxAliasCount} uses): ${message}`));
    return { value: undefined, source, diagnostics };
  }
  return { value, source, diagnostics };
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function yamlMessage(message: string): string {
  // The yaml package appends " at line X, column Y:" and a code excerpt; we print our own position.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function diagnostic(file: string, pos: Position, code: DiagnosticCode, message: string): Diagnostic {
  return { file, line: pos.line, col: pos.col, severity: 'error', code, message };
}

function rangeStart(node: { range?: [number, number, number] | null }, lineCounter: LineCounter): Position {
  return lineCounter.linePos(node.range?.[0] ?? 0);
}

/** The first key that is a list or mapping (the first in the file), else the first collection nested too deep; one walk. */
function shapeProblem(doc: Document): { problem: 'yaml-syntax' | 'too-deep'; node: Node } | undefined {
  let tooDeep: Node | undefined;
  let complexKey: Node | undefined;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!(isMap(node) || isSeq(node))) continue;
    if (depth > LOAD_LIMITS.maxDepth) {
      tooDeep ??= node;
      continue;
    }
    for (const item of node.items) {
      if (isPair(item)) {
        if ((isMap(item.key) || isSeq(item.key)) && (!complexKey || startOf(item.key) < startOf(complexKey))) complexKey = item.key;
        stack.push({ node: item.value, depth: depth + 1 });
      } else {
        stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  if (complexKey) return { problem: 'yaml-syntax', node: complexKey };
  return tooDeep ? { problem: 'too-deep', node: tooDeep } : undefined;
}

const startOf = (node: Node): number => node.range?.[0] ?? 0;

function firstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function sourceMap(file: string, doc: Document, lineCounter: LineCounter, text: string): SourceMap {
  const find = (path: Path): { node: unknown; keyNode?: unknown; complete: boolean } => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const step of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) return { node, keyNode, complete: false };
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
        keyNode = undefined;
        node = node.items[step];
      } else {
        return { node, keyNode, complete: false };
      }
    }
    return { node, keyNode, complete: true };
  };
  const positionOf = (node: unknown): Position => rangeStart(node as { range?: [number, number, number] }, lineCounter);
  return {
    file,
    locate(path, part = 'value') {
      const { node, keyNode, complete } = find(path);
      if (complete && part === 'key' && keyNode) return positionOf(keyNode);
      return positionOf(node);
    },
    locateInString(path, offset) {
      const { node, complete } = find(path);
      if (!complete || !isScalar(node) || typeof node.value !== 'string' || !node.range) return positionOf(node);
      // Find the text around the offset in the raw source; quoting and folding can move it.
      const raw = text.slice(node.range[0], node.range[1]);
      const value = node.value;
      const lineEnd = value.indexOf('\n', offset);
      const probe = value.slice(offset, lineEnd < 0 ? undefined : lineEnd);
      const at = probe ? raw.indexOf(probe) : -1;
      if (at < 0) return positionOf(node);
      return lineCounter.linePos(node.range[0] + at);
    },
  };
}
