// Which POSTs the pages take as their own: what browsers send with a page's own form (found with
// a real Chromium in test/browser), and what they send from anywhere else.
import { describe, expect, it } from 'vitest';
import { crossSiteRefusal } from '../../src/approvals/same-origin.js';

const OWN = 'http://127.0.0.1:41234';

describe('crossSiteRefusal', () => {
  it("takes the page's own form post: its origin, or `Origin: null` from the same origin under the pages' no-referrer policy", () => {
    expect(crossSiteRefusal({ origin: OWN, 'sec-fetch-site': 'same-origin' }, OWN)).toBeNull();
    expect(crossSiteRefusal({ origin: 'null', 'sec-fetch-site': 'same-origin' }, OWN)).toBeNull();
  });

  it('takes a script, which sends neither header', () => {
    expect(crossSiteRefusal({}, OWN)).toBeNull();
  });

  it('refuses a post from another site, another origin, or an opaque origin not vouched for as the same one', () => {
    expect(crossSiteRefusal({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, OWN)).toMatch(/another site/);
    expect(crossSiteRefusal({ origin: 'null', 'sec-fetch-site': 'cross-site' }, OWN)).toMatch(/another site/);
    // Another port on the same host is the same site but not the same origin.
    expect(crossSiteRefusal({ origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-site' }, OWN)).toMatch(/another origin/);
    expect(crossSiteRefusal({ origin: 'null', 'sec-fetch-site': 'same-site' }, OWN)).toMatch(/another origin/);
    // A browser too old to send Sec-Fetch-Site cannot vouch for `Origin: null`.
    expect(crossSiteRefusal({ origin: 'null' }, OWN)).toMatch(/another origin/);
    expect(crossSiteRefusal({ origin: 'http://localhost:41234' }, OWN)).toMatch(/another origin/);
  });
});
