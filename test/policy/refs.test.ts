// ResourceRef: by ID exactly, by name exactly, or by the start of the name (a trailing `*`); and
// what resolving references against a routing state finds and misses.
import { describe, expect, it } from 'vitest';
import { describeRef, refMatches } from '../../src/policy/refs.js';
import { resolveAttachments, resolveTables } from '../../src/policy/routing-state.js';
import { stateOf } from './states.js';

describe('refMatches', () => {
  const table = { id: 'rt-1', name: 'rtb-dev-a' };

  it('by ID: exactly, never by name', () => {
    expect(refMatches({ id: 'rt-1' }, table)).toBe(true);
    expect(refMatches({ id: 'rt-' }, table)).toBe(false);
    expect(refMatches({ id: 'rtb-dev-a' }, table)).toBe(false);
  });

  it('by name: exactly, or by its start with a trailing *', () => {
    expect(refMatches({ name: 'rtb-dev-a' }, table)).toBe(true);
    expect(refMatches({ name: 'rtb-dev' }, table)).toBe(false);
    expect(refMatches({ name: 'rtb-dev*' }, table)).toBe(true);
    expect(refMatches({ name: 'rtb-prod*' }, table)).toBe(false);
    expect(refMatches({ name: '*' }, table)).toBe(true);
    // Only a trailing star is a pattern.
    expect(refMatches({ name: '*dev-a' }, table)).toBe(false);
  });

  it('a resource without a name matches by ID only', () => {
    expect(refMatches({ name: '*' }, { id: 'rt-2', name: null })).toBe(false);
    expect(refMatches({ id: 'rt-2' }, { id: 'rt-2', name: null })).toBe(true);
  });

  it('describes itself for messages', () => {
    expect([describeRef({ id: 'x' }), describeRef({ name: 'rtb-prod' }), describeRef({ name: 'rtb-dev*' })]).toEqual(['ID x', '"rtb-prod"', 'names starting "rtb-dev"']);
  });
});

describe('resolving against a routing state', () => {
  const state = stateOf(
    [
      { id: 't-1', name: 'rtb-dev-a', routes: [] },
      { id: 't-2', name: 'rtb-dev-b', routes: [] },
      { id: 't-3', name: 'rtb-prod', routes: [] },
    ],
    [
      { id: 'a-1', name: 'vpc-a' },
      { id: 'a-2', name: null },
    ],
  );

  it('finds every match once; a missing ID or exact name is reported, a pattern matching nothing is not', () => {
    const tables = resolveTables([{ name: 'rtb-dev*' }, { id: 't-1' }, { name: 'rtb-stage*' }, { name: 'rtb-stage' }, { id: 't-9' }], state);
    expect(tables.found.map((t) => t.id)).toEqual(['t-1', 't-2']);
    expect(tables.missing).toEqual([{ name: 'rtb-stage' }, { id: 't-9' }]);
    const attachments = resolveAttachments([{ id: 'a-2' }, { name: 'vpc-*' }], state);
    expect(attachments.found.map((a) => a.id)).toEqual(['a-2', 'a-1']);
    expect(attachments.missing).toEqual([]);
  });
});
