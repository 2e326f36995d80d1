// HTML that is escaped unless it says otherwise. Every value put into a `html` template is escaped
// (plan names come from the cloud and are hostile until shown otherwise); only the result of
// another `html` template passes through as markup. So forgetting to escape cannot happen.

/** Markup built by `html`: the only thing inserted unescaped. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** A fragment from literal markup and escaped values; arrays join, null, undefined and false vanish. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0]!;
  values.forEach((value, index) => {
    markup += fragment(value) + strings[index + 1]!;
  });
  return new Html(markup);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function fragment(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .4rem 0; } th, td { text-align: left; vertical-align: top; padding: .2rem .8rem .2rem 0; }
th { font-weight: 600; color: #444; } code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f5f5f5; padding: .8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
.badge { display: inline-block; padding: .1rem .5rem; border-radius: .3rem; font-weight: 600; }
.sandbox { background: #e0f0ff; } .approved { background: #dff5e1; } .rejected { background: #fde2e2; } .pending { background: #fff4d6; }
.conflict { color: #a40000; } .muted { color: #666; }
.actions { margin-top: 1.5rem; display: flex; gap: 1rem; } .actions button { font-size: 1rem; padding: .5rem 1.4rem; }
.approve { background: #1a7f37; color: #fff; border: 0; border-radius: .3rem; } .reject { background: #fff; color: #a40000; border: 1px solid #a40000; border-radius: .3rem; }
.signed-in { float: right; } .signed-in form { display: inline; }
`;

/** A whole document: no script, styles inline (the Content-Security-Policy allows nothing else); `head` adds to its head. */
export function documentOf(title: string, body: Html, head?: Html): string {
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">${head}<title>${title}</title><style>${new Html(STYLE)}</style></head><body>${body}</body></html>`.markup}\n`;
}
