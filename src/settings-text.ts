// The settings table as text: `--help` (plain, wrapped for an 80-100 column terminal) and the
// README's tables (Markdown, between `<!-- settings:GROUP:start -->` and `…:end -->` markers).
// Generated, never written by hand, so neither can drift from src/settings.ts.
import { GROUPS, type GroupId, type Setting, SETTING_ROWS } from './settings.js';

const HELP_WIDTH = 96;
const INDENT = '      ';

/** Markdown as plain text: code spans lose their backticks, links keep their words. */
function plain(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').replace(/`/g, '');
}

/** What follows the flag on the command line: nothing for switches, the choices, or a placeholder. */
function flagArgument(setting: Setting): string {
  const { value } = setting;
  switch (value.kind) {
    case 'switch':
      return '';
    case 'boolean':
      return '[=BOOL]';
    case 'choice':
      return ` ${value.choices.join('|')}`;
    case 'number':
    case 'text':
      return ` ${value.placeholder}`;
  }
}

/** The values a setting takes, as a phrase; empty when its placeholder says all. */
export function allowedValues(setting: Setting): string {
  const { value } = setting;
  switch (value.kind) {
    case 'switch':
      return 'no value';
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${value.choices.map((c) => `\`${c}\``).join(', ')}`;
    case 'number': {
      const what = value.unit === 'seconds' ? (value.whole ? 'whole seconds' : 'seconds') : value.whole ? 'a whole number' : 'a number';
      const bounds: string[] = [];
      if (value.min !== undefined && value.max !== undefined) bounds.push(`from ${value.min} to ${value.max}`);
      else {
        if (value.min !== undefined) bounds.push(`at least ${value.min}`);
        if (value.above !== undefined) bounds.push(`above ${value.above}`);
        if (value.max !== undefined) bounds.push(`at most ${value.max}`);
      }
      if (value.unit !== undefined && value.unit !== 'seconds') bounds.push(value.unit);
      return [what, bounds.join(', ')].filter(Boolean).join(' ');
    }
    case 'text':
      return value.allowed ?? '';
  }
}

/** The default as documented (Markdown), or empty when there is none. */
export function defaultValue(setting: Setting): string {
  if (setting.defaultText !== undefined) return setting.defaultText;
  return setting.default === undefined ? '' : `\`${String(setting.default)}\``;
}

function commandsOf(rows: readonly Setting[]): string | undefined {
  const lists = new Set(rows.map((row) => row.commands.join(', ')));
  return lists.size === 1 ? [...lists][0] : undefined;
}

/** Words wrapped to `width`, each line after the first (and the first) indented by `indent`. */
function wrap(text: string, indent: string, width = HELP_WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** A phrase as a sentence: a capital (unless it starts with a name in backticks) and a full stop. */
function sentence(text: string, capital = true): string {
  const t = text.trim();
  if (t === '') return '';
  return `${capital ? t.charAt(0).toUpperCase() : t.charAt(0)}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

/** What an environment variable is set to, for a variable without a flag (the flag shows it otherwise). */
function variableArgument(setting: Setting): string {
  const { value } = setting;
  switch (value.kind) {
    case 'switch':
      return '';
    case 'boolean':
      return '=BOOL';
    case 'choice':
      return `=${value.choices.join('|')}`;
    case 'number':
    case 'text':
      return `=${value.placeholder}`;
  }
}

function helpEntry(setting: Setting, groupCommands: string | undefined): string[] {
  const flag = setting.flag === undefined ? '' : `--${setting.flag}${flagArgument(setting)}`;
  const variable = setting.env === undefined ? '' : setting.flag === undefined ? `${setting.env}${variableArgument(setting)}` : setting.env;
  // Flag and variable on one line where they fit, else the variable under the flag.
  const head = flag && variable ? (flag.length + variable.length + 5 <= HELP_WIDTH ? [`  ${flag}   ${variable}`] : [`  ${flag}`, `    ${variable}`]) : [`  ${flag || variable}`];
  // Choices and switches are spelled out on the first line already.
  const kind = setting.value.kind;
  const facts = [
    sentence(plain(setting.meaning), false),
    kind === 'choice' || kind === 'switch' ? '' : sentence(plain(allowedValues(setting))),
    defaultValue(setting) ? `Default: ${plain(defaultValue(setting))}.` : '',
    groupCommands === undefined ? `For ${setting.commands.join(', ')}.` : '',
  ];
  return [...head, ...wrap(facts.filter(Boolean).join(' '), INDENT)];
}

const USAGE_LINES: ReadonlyArray<[string, string]> = [
  ['huaweicloud-er-mcp [serve] [--sandbox] [settings]', 'serve MCP on stdio (--sandbox: against a built-in emulator)'],
  ['huaweicloud-er-mcp serve --http [settings]', 'serve MCP over Streamable HTTP at /mcp (README: Running for a team)'],
  ['huaweicloud-er-mcp doctor [--sandbox] [settings]', 'show the credentials, region, endpoint and project in use, then make one read-only call'],
  ['huaweicloud-er-mcp emulator [--port N]', 'run the local ER API emulator alone'],
  ['huaweicloud-er-mcp --help | --version', ''],
];

/** The whole of `--help`. */
export function renderHelp(version: string, rows: readonly Setting[] = SETTING_ROWS): string {
  const out: string[] = [`huaweicloud-er-mcp ${version}: MCP server for Huawei Cloud Enterprise Router associations`, '', 'Usage:'];
  for (const [usage, what] of USAGE_LINES) {
    out.push(`  ${usage}`);
    if (what) out.push(...wrap(what, INDENT));
  }
  out.push(
    '',
    ...wrap('Settings: a flag is given as --name value or --name=value, and wins over its environment variable. README.md has the details.', ''),
  );
  for (const group of GROUPS) {
    const members = rows.filter((row) => row.group === group.id);
    if (members.length === 0) continue;
    const commands = commandsOf(members);
    out.push('', `${group.title}${commands === undefined ? '' : ` (${commands})`}:`);
    for (const row of members) out.push(...helpEntry(row, commands));
  }
  return `${out.join('\n')}\n`;
}

/** A Markdown table cell: pipes escaped, no line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The README's table of one group. */
export function renderGroupTable(group: GroupId, rows: readonly Setting[] = SETTING_ROWS): string {
  const members = rows.filter((row) => row.group === group);
  if (members.length === 0) return '';
  const commands = commandsOf(members);
  const columns: Array<[string, (row: Setting) => string]> = [];
  if (members.some((row) => row.flag !== undefined)) columns.push(['flag', (row) => (row.flag === undefined ? '' : code(`--${row.flag}${flagArgument(row)}`))]);
  if (members.some((row) => row.env !== undefined)) columns.push(['variable', (row) => (row.env === undefined ? '' : code(row.env))]);
  // A flag's placeholder is beside it already; a variable's alone would go unsaid.
  columns.push(['values', (row) => allowedValues(row) || (row.value.kind === 'text' && row.flag === undefined ? code(row.value.placeholder) : '')]);
  columns.push(['default', (row) => defaultValue(row)]);
  if (commands === undefined) columns.push(['for', (row) => row.commands.map(code).join(', ')]);
  columns.push(['meaning', (row) => [row.meaning, row.details].filter(Boolean).join(' ') + (row.secret ? ' A secret: never logged or shown.' : '')]);
  const lines = [
    ...(commands === undefined ? [] : [`For ${commands.split(', ').map(code).join(', ')}.`, '']),
    `| ${columns.map(([name]) => name).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...members.map((row) => `| ${columns.map(([, render]) => cell(render(row))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const REGION = /(<!-- settings:([a-z]+):start[^>]*-->\n)[\s\S]*?(<!-- settings:\2:end -->)/g;

/** The README with every settings region rewritten from the table; other text is left as it is. */
export function rewriteSettingsRegions(readme: string, rows: readonly Setting[] = SETTING_ROWS): string {
  return readme.replace(REGION, (_match, start: string, group: string, end: string) => `${start}${renderGroupTable(group as GroupId, rows)}\n${end}`);
}

/** The groups that have a region in this README. */
export function settingsRegions(readme: string): string[] {
  return [...readme.matchAll(REGION)].map((m) => m[2]!);
}
