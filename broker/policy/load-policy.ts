/** Reads a policy file: YAML → zod, with errors that name the file, line and field. */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { policyFileSchema, type Policy } from './policy-schema.ts';

/** Problems listed in one error message; the rest are counted. */
const MAX_ISSUES_SHOWN = 20;

/** Outcome of parsing a policy. */
export type PolicyParse =
  { status: 'success'; policy: Policy } | { status: 'error'; message: string };

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

function positionOf(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; col: number } {
  // Walk up the path until a node exists (a missing key points at its parent).
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node: unknown = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.join(', ')}; remove them`;
  return issue.message;
}

/** Parses policy text; `fileName` is used in error messages only. */
export function parsePolicyText(text: string, fileName: string): PolicyParse {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const { line, col } = counter.linePos(yamlError.pos[0]);
    return {
      status: 'error',
      message: `${fileName}:${line}:${col}: not valid YAML: ${yamlError.code}`,
    };
  }
  let json: unknown;
  try {
    json = doc.toJS();
  } catch {
    // Why: yaml throws on an alias bomb (aliases expanding into a huge document); a policy that
    // does so is refused as a value, so a live reload keeps the last good policy instead of failing.
    return {
      status: 'error',
      message: `${fileName}: not valid YAML: too many aliases (a resource exhaustion attack?); write the values out`,
    };
  }
  const parsed = policyFileSchema.safeParse(json);
  if (parsed.success) return { status: 'success', policy: parsed.data };
  // Why: a file with thousands of broken entries must not cost seconds (and megabytes) to report.
  const shown = parsed.error.issues.slice(0, MAX_ISSUES_SHOWN);
  const lines = shown.map((issue) => {
    const { line, col } = positionOf(doc, counter, issue.path);
    const field = formatPath(issue.path) || '(top level)';
    return `${fileName}:${line}:${col}: ${field}: ${describeIssue(issue)}`;
  });
  const more = parsed.error.issues.length - shown.length;
  if (more > 0) lines.push(`${fileName}: and ${more} more problem(s); fix the ones above first`);
  return { status: 'error', message: lines.join('\n') };
}

/** Reads and parses a policy file. */
export async function loadPolicyFile(path: string): Promise<PolicyParse> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { status: 'error', message: `${path}: cannot read the policy file` };
  }
  return parsePolicyText(text, path);
}
