// Finding the static token a request presents, by its hash. Apart from tokens.ts (which reads the
// token file with the rest of the configuration, at every start) so that only `serve --http`
// loads node:crypto for it: a stdio server starts without it.
import { hash, timingSafeEqual } from 'node:crypto';
import type { StaticToken } from './tokens.js';

/**
 * The entry whose hash matches the presented token, or undefined. Every entry is compared, each
 * in constant time, so neither the answer's timing nor its position gives anything away.
 */
export function matchStaticToken(tokens: readonly StaticToken[], presented: string): StaticToken | undefined {
  // The one-shot hash: a third of the cost of a Hash object for a token this short (every request pays it).
  const digest = hash('sha256', presented, 'buffer');
  let found: StaticToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(token.hash, digest) && !found) found = token;
  }
  return found;
}
