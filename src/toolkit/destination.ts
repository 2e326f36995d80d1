// The destination of a static route as the tools take it: a CIDR block, checked before any
// request. Written as its network address (the host bits zero), so that the text a person
// approves is the route the table gets; IPv4 or IPv6.
import { z } from 'zod';
import { canonical, contains, parsePrefix } from '../er/cidr.js';

/** Ranges ER refuses as a static route's destination (ER.04006104): loopback, link-local, multicast. */
const RESERVED = ['127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4'].map((text) => ({ text, prefix: parsePrefix(text)! }));

/** Why this text is not a destination a static route may have, or undefined when it is one. */
export function destinationProblem(text: string): string | undefined {
  const prefix = parsePrefix(text);
  if (!prefix || !text.includes('/')) return `destination must be a CIDR block such as 10.30.0.0/16 or 2001:db8::/32, not "${text.slice(0, 64)}"`;
  const written = canonical(text);
  const address = parsePrefix(text.trim().split('/')[0]!);
  if (address && address.network !== prefix.network) return `destination ${text.trim()} has host bits set: the network is ${written}`;
  const reserved = RESERVED.find((r) => prefix.version === 4 && contains(r.prefix, prefix));
  if (reserved) return `destination ${written} lies in ${reserved.text}, which ER does not route (loopback, link-local and multicast ranges)`;
  return undefined;
}

export function destinationInput(description: string) {
  return z
    .string({ error: 'destination is required and must be a string such as 10.30.0.0/16' })
    .max(64, { error: 'destination is too long for a CIDR block' })
    .superRefine((text, context) => {
      const problem = destinationProblem(text);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .describe(description);
}
