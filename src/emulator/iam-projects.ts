// The IAM project look-up (KeystoneListProjects) as the emulator answers it: the projects it
// knows, filtered by name, in one page, shaped as the IAM reference lists them.
import { ok, type Query, type Reply } from './http-io.js';

/** The account (IAM domain) of the emulator's projects. */
export const IAM_DOMAIN_ID = 'e1d2c3b4a5968778695a4b3c2d1e0f00';

export interface KnownProject {
  id: string;
  name: string;
}

/** `base` is the emulator's URL: the answer's links point back to it. */
export function listProjects(query: Query, known: readonly KnownProject[], base: string): Reply {
  const name = query.name?.[0];
  const self = `${base}/v3/projects`;
  const projects = known
    .filter((p) => name === undefined || p.name === name)
    .map((p) => ({
      is_domain: false,
      description: '',
      links: { self: `${self}/${p.id}` },
      enabled: true,
      id: p.id,
      // A region's built-in project sits directly under the account.
      parent_id: IAM_DOMAIN_ID,
      domain_id: IAM_DOMAIN_ID,
      name: p.name,
    }));
  return ok({ links: { self: `${self}${name === undefined ? '' : `?name=${encodeURIComponent(name)}`}`, previous: null, next: null }, projects });
}
