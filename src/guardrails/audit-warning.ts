// An answer whose outcome could not be written to the audit log says so in its own JSON, as the
// field `audit_warning`, so an agent or a program reading the result sees it, not only a person
// reading the text. The text of a result is that same JSON (toolkit/results.ts), so it says it too.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { resultText } from '../toolkit/results.js';

export function auditWarning(outcome: string, problem: string | null): string {
  return (
    `WARNING: the outcome of this call (${outcome}) could not be written to the audit log${problem ? `: ${problem}` : ''}. ` +
    'This answer is still what happened; every further write is refused until the audit log is fixed and the server restarted.'
  );
}

export function withAuditWarning(result: CallToolResult, warning: string): CallToolResult {
  const [first, ...rest] = result.content ?? [];
  const structured = result.structuredContent;
  if (structured) {
    const marked = { ...structured, audit_warning: warning };
    // The first text block mirrors the structured answer (success()); anything after it stays.
    const mirrors = first?.type === 'text' && first.text === resultText(structured);
    const text = { type: 'text' as const, text: resultText(marked) };
    return { ...result, structuredContent: marked, content: mirrors ? [text, ...rest] : [...(result.content ?? []), text] };
  }
  // An isError answer is JSON in its text (failure()): the field goes in there.
  const json = first?.type === 'text' ? parseObject(first.text) : null;
  if (json) return { ...result, content: [{ type: 'text', text: resultText({ ...json, audit_warning: warning }) }, ...rest] };
  return { ...result, content: [...(result.content ?? []), { type: 'text', text: resultText({ audit_warning: warning }) }] };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
