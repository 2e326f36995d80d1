// The text block of every JSON result is compact JSON: the structured content (or the error) with no
// indentation, so a model reads no whitespace; structured content is what it always was.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { withAuditWarning } from '../src/guardrails/audit-warning.js';
import { refusal } from '../src/guardrails/gate-answers.js';
import { configurationFailure, success } from '../src/toolkit/results.js';

const textOf = (result: CallToolResult) => (result.content[0] as { type: 'text'; text: string }).text;
const nested = { er_id: 'er-1', plan: { will_change: true, conflicts: [{ kind: 'x', message: 'a "quoted" word' }] }, count: 2 };

describe('result text', () => {
  it('a success: the structured content unchanged, its text the same JSON without indentation', () => {
    const result = success(nested);
    expect(result.structuredContent).toBe(nested);
    expect(textOf(result)).toBe(JSON.stringify(nested));
    expect(textOf(result)).not.toMatch(/\n/);
  });

  it('an error and a refusal of the gate: compact JSON too', () => {
    const failed = configurationFailure(['HUAWEICLOUD_SDK_AK is not set.']);
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toBe(JSON.stringify(JSON.parse(textOf(failed))));
    const refused = refusal('READ_ONLY', 'The server is read-only.', 'Nothing was sent.');
    expect(textOf(refused)).not.toMatch(/\n/);
    expect(JSON.parse(textOf(refused))).toMatchObject({ error_code: 'READ_ONLY' });
  });

  it('an audit warning keeps the text a compact mirror of the structured content', () => {
    const marked = withAuditWarning(success(nested), 'WARNING: not recorded');
    expect(marked.content).toHaveLength(1);
    expect(textOf(marked)).toBe(JSON.stringify(marked.structuredContent));
    const failed = withAuditWarning(configurationFailure(['x']), 'WARNING: not recorded');
    expect(textOf(failed)).not.toMatch(/\n/);
    expect(JSON.parse(textOf(failed))).toMatchObject({ error_code: 'CONFIGURATION', audit_warning: 'WARNING: not recorded' });
  });
});
