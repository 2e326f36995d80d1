// Configuration from the places Huawei Cloud users already keep credentials. Every test runs with
// its own temporary HOME, never the real one.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEndpoint, type Config, loadConfig, regionEndpoint, UsageError } from '../src/load-config.js';

// Plain-text-looking keys (letters and digits), distinct per source so a test can tell which won.
const KEYS = {
  env: { ak: 'ENVAKAAAAAAAAAAAAAA1', sk: 'envsecretenvsecretenvsecretenvsecret0001', token: 'env-token-0001' },
  file: { ak: 'FILEAKBBBBBBBBBBBBB2', sk: 'filesecretfilesecretfilesecretfilesec002', token: 'file-token-0002' },
  koocli: { ak: 'KOOAKCCCCCCCCCCCCCC3', sk: 'koosecretkoosecretkoosecretkoosecret0003', token: 'koo-token-0003' },
  terraform: { ak: 'TFAKDDDDDDDDDDDDDDD4', sk: 'tfsecrettfsecrettfsecrettfsecrettfsec004', token: 'tf-token-0004' },
};
const ALL_SECRETS = Object.values(KEYS).flatMap((k) => [k.sk, k.token]);

const PROJECT = { file: 'a0000000000000000000000000000001', koocli: 'b0000000000000000000000000000002', tf: 'c0000000000000000000000000000003', env: 'd0000000000000000000000000000004' };

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'er-mcp-home-'));
  homes.push(home);
  return home;
}

function writeSecretFile(path: string, content: string, mode = 0o600): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function credentialsFile(home: string, lines: string[] = [`ak = ${KEYS.file.ak}`, `sk = ${KEYS.file.sk}`], mode = 0o600): string {
  return writeSecretFile(join(home, '.huaweicloud', 'credentials'), ['# SDK credentials', '[basic]', ...lines, ''].join('\n'), mode);
}

interface Profile {
  name: string;
  mode?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  securityToken?: string;
  region?: string;
  projectId?: string;
}

function kooCliProfile(overrides: Partial<Profile> = {}): Profile {
  return { name: 'default', mode: 'AKSK', accessKeyId: KEYS.koocli.ak, secretAccessKey: KEYS.koocli.sk, region: 'cn-north-4', projectId: PROJECT.koocli, ...overrides };
}

function kooCliConfig(home: string, profiles: Profile[] = [kooCliProfile()], current = 'default', mode = 0o600): string {
  return writeSecretFile(join(home, '.hcloud', 'config.json'), JSON.stringify({ current, profiles, language: 'en' }, null, 2), mode);
}

const TERRAFORM_ENV = { HW_ACCESS_KEY: KEYS.terraform.ak, HW_SECRET_KEY: KEYS.terraform.sk, HW_REGION_NAME: 'ap-southeast-1', HW_PROJECT_ID: PROJECT.tf };
const SDK_ENV = { HUAWEICLOUD_SDK_AK: KEYS.env.ak, HUAWEICLOUD_SDK_SK: KEYS.env.sk };

function load(env: Record<string, string | undefined>, argv: string[] = []): Config {
  const config = loadConfig(argv, env);
  // Whatever the case, no secret may reach a problem or a warning (they are logged and shown to agents).
  const messages = [...config.problems, ...config.warnings].join('\n');
  for (const secret of ALL_SECRETS) expect(messages).not.toContain(secret);
  return config;
}

describe('each credential source alone', () => {
  it('HUAWEICLOUD_SDK_AK / SK / SECURITY_TOKEN from the environment', () => {
    const config = load({ HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_SDK_SECURITY_TOKEN: KEYS.env.token, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: PROJECT.env });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials).toEqual({ ak: KEYS.env.ak, sk: KEYS.env.sk, securityToken: KEYS.env.token });
    expect(config.target?.sources.credentials).toContain('HUAWEICLOUD_SDK_AK');
    expect(config.target?.projectId).toBe(PROJECT.env);
    expect(config.target?.sources.projectId).toBe('HUAWEICLOUD_SDK_PROJECT_ID');
  });

  it('the SDK credentials file in HOME: ak, sk, security_token, project_id, iam_endpoint under [basic]', () => {
    const home = tempHome();
    const path = credentialsFile(home, [
      `ak = ${KEYS.file.ak}`,
      `sk = ${KEYS.file.sk}`,
      `security_token = ${KEYS.file.token}`,
      `project_id = ${PROJECT.file}`,
      'iam_endpoint = https://iam.cn-north-4.myhuaweicloud.com',
    ]);
    const config = load({ HOME: home, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials).toEqual({ ak: KEYS.file.ak, sk: KEYS.file.sk, securityToken: KEYS.file.token });
    expect(config.target?.sources.credentials).toContain(path);
    expect(config.target?.projectId).toBe(PROJECT.file);
    expect(config.target?.iamEndpoint).toBe('https://iam.cn-north-4.myhuaweicloud.com');
  });

  it('HUAWEICLOUD_SDK_CREDENTIALS_FILE points at another file', () => {
    const home = tempHome();
    const path = writeSecretFile(join(home, 'elsewhere', 'keys.ini'), `[basic]\nak=${KEYS.file.ak}\nsk=${KEYS.file.sk}\n`);
    const config = load({ HOME: home, HUAWEICLOUD_SDK_CREDENTIALS_FILE: path, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: PROJECT.env });
    expect(config.target?.credentials.ak).toBe(KEYS.file.ak);
    expect(config.target?.sources.credentials).toContain(path);
  });

  it('a KooCLI AKSK profile (the current one), with its region, project id and security token', () => {
    const home = tempHome();
    const path = kooCliConfig(home, [kooCliProfile({ securityToken: KEYS.koocli.token })]);
    const config = load({ HOME: home });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials).toEqual({ ak: KEYS.koocli.ak, sk: KEYS.koocli.sk, securityToken: KEYS.koocli.token });
    expect(config.target?.sources.credentials).toBe(`KooCLI profile "default" in ${path}`);
    expect(config.target?.region).toBe('cn-north-4');
    expect(config.target?.endpoint).toBe('https://er.cn-north-4.myhuaweicloud.com');
    expect(config.target?.projectId).toBe(PROJECT.koocli);
  });

  it('HUAWEICLOUD_PROFILE picks a KooCLI profile other than the current one', () => {
    const home = tempHome();
    kooCliConfig(home, [kooCliProfile(), kooCliProfile({ name: 'prod', accessKeyId: 'PRODAKEEEEEEEEEEEEE5', region: 'cn-east-3', projectId: undefined })]);
    const config = load({ HOME: home, HUAWEICLOUD_PROFILE: 'prod' });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials.ak).toBe('PRODAKEEEEEEEEEEEEE5');
    expect(config.target?.region).toBe('cn-east-3');
    expect(config.target?.projectId).toBeUndefined();
  });

  it("Terraform's HW_ACCESS_KEY / HW_SECRET_KEY / HW_SECURITY_TOKEN / HW_REGION_NAME / HW_PROJECT_ID", () => {
    const config = load({ HOME: tempHome(), ...TERRAFORM_ENV, HW_SECURITY_TOKEN: KEYS.terraform.token });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials).toEqual({ ak: KEYS.terraform.ak, sk: KEYS.terraform.sk, securityToken: KEYS.terraform.token });
    expect(config.target?.sources.credentials).toContain('HW_ACCESS_KEY');
    expect(config.target?.region).toBe('ap-southeast-1');
    expect(config.target?.sources.region).toBe('HW_REGION_NAME');
    expect(config.target?.projectId).toBe(PROJECT.tf);
  });

  it('no source at all: one problem naming every place looked at, with the temporary HOME in the paths', () => {
    const home = tempHome();
    const config = load({ HOME: home, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(config.target).toBeUndefined();
    const message = config.problems.join(' ');
    for (const name of ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', join(home, '.huaweicloud', 'credentials'), join(home, '.hcloud', 'config.json'), 'HW_ACCESS_KEY', 'HUAWEICLOUD_SDK_PROJECT_ID']) {
      expect(message).toContain(name);
    }
  });
});

describe('precedence: the first source present wins', () => {
  function everySource(home: string): Record<string, string> {
    credentialsFile(home, [`ak = ${KEYS.file.ak}`, `sk = ${KEYS.file.sk}`, `project_id = ${PROJECT.file}`]);
    kooCliConfig(home);
    return { HOME: home, ...TERRAFORM_ENV };
  }

  it('environment variables beat the file, KooCLI and Terraform', () => {
    const config = load({ ...everySource(tempHome()), ...SDK_ENV });
    expect(config.target?.credentials.ak).toBe(KEYS.env.ak);
  });

  it('the credentials file beats KooCLI and Terraform', () => {
    const config = load(everySource(tempHome()));
    expect(config.target?.credentials.ak).toBe(KEYS.file.ak);
    expect(config.target?.projectId).toBe(PROJECT.file);
  });

  it('KooCLI beats Terraform', () => {
    const home = tempHome();
    kooCliConfig(home);
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target?.credentials.ak).toBe(KEYS.koocli.ak);
  });

  it('region: HUAWEICLOUD_REGION, then the KooCLI profile, then HW_REGION_NAME', () => {
    const home = tempHome();
    kooCliConfig(home, [kooCliProfile({ projectId: undefined })]);
    expect(load({ HOME: home, ...TERRAFORM_ENV, HUAWEICLOUD_REGION: 'cn-east-3' }).target?.region).toBe('cn-east-3');
    expect(load({ HOME: home, ...TERRAFORM_ENV }).target?.region).toBe('cn-north-4');
    expect(load({ HOME: tempHome(), ...SDK_ENV, HW_REGION_NAME: 'ap-southeast-1' }).target?.region).toBe('ap-southeast-1');
  });

  it('HUAWEICLOUD_SDK_PROJECT_ID beats a project id stored with the keys', () => {
    const home = tempHome();
    credentialsFile(home, [`ak = ${KEYS.file.ak}`, `sk = ${KEYS.file.sk}`, `project_id = ${PROJECT.file}`]);
    const config = load({ HOME: home, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: PROJECT.env });
    expect(config.target?.projectId).toBe(PROJECT.env);
  });

  it('a project id stored with another region is ignored with a warning, leaving it to the IAM lookup', () => {
    const home = tempHome();
    kooCliConfig(home);
    const config = load({ HOME: home, HUAWEICLOUD_REGION: 'cn-east-3' });
    expect(config.problems).toEqual([]);
    expect(config.target?.projectId).toBeUndefined();
    expect(config.target?.sources.projectId).toContain('IAM');
    expect(config.warnings.join(' ')).toMatch(/Ignoring the project id from KooCLI profile "default".*cn-north-4.*cn-east-3/);
  });
});

describe('partial or unusable sources are problems naming the source, never a fall-through', () => {
  it('HUAWEICLOUD_SDK_AK without HUAWEICLOUD_SDK_SK, even with a complete credentials file present', () => {
    const home = tempHome();
    credentialsFile(home);
    const config = load({ HOME: home, HUAWEICLOUD_SDK_AK: KEYS.env.ak, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(config.target).toBeUndefined();
    expect(config.problems).toContain('HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not: set both.');
  });

  it('HUAWEICLOUD_SDK_SECURITY_TOKEN alone', () => {
    const config = load({ HOME: tempHome(), HUAWEICLOUD_SDK_SECURITY_TOKEN: KEYS.env.token, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain('HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not');
  });

  it('a credentials file with ak but no sk, even with Terraform variables set', () => {
    const home = tempHome();
    const path = credentialsFile(home, [`ak = ${KEYS.file.ak}`]);
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain(`ak in the credentials file ${path} is set but sk in the credentials file ${path} is not`);
  });

  it('a credentials file without a [basic] section', () => {
    const home = tempHome();
    const path = writeSecretFile(join(home, '.huaweicloud', 'credentials'), `[other]\nak=${KEYS.file.ak}\nsk=${KEYS.file.sk}\n`);
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain(`${path} has no [basic] section`);
  });

  it('HUAWEICLOUD_SDK_CREDENTIALS_FILE naming a file that does not exist', () => {
    const home = tempHome();
    const config = load({ HOME: home, HUAWEICLOUD_SDK_CREDENTIALS_FILE: join(home, 'missing.ini'), ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain(`HUAWEICLOUD_SDK_CREDENTIALS_FILE names ${join(home, 'missing.ini')}, which does not exist`);
  });

  it('a KooCLI AKSK profile with no secret key', () => {
    const home = tempHome();
    kooCliConfig(home, [kooCliProfile({ secretAccessKey: undefined })]);
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toMatch(/accessKeyId in KooCLI profile "default" .* is set but secretAccessKey .* is not/);
  });

  it('a KooCLI profile in another mode than AKSK is refused, naming the profile and the mode', () => {
    const home = tempHome();
    kooCliConfig(home, [{ name: 'sso-user', mode: 'SSO', region: 'cn-north-4' }], 'sso-user');
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    const message = config.problems.join(' ');
    expect(message).toContain('KooCLI profile "sso-user"');
    expect(message).toContain('uses mode SSO; only AKSK profiles can be used');
  });

  it('a KooCLI secret that is not plain text is refused without showing it', () => {
    const home = tempHome();
    const encrypted = 'U2FsdGVkX1+vupppZksvRf5pq5g5XjFRlipRkwB0K1Y96Qsv2Lm+31cmzaAILwyt==';
    kooCliConfig(home, [kooCliProfile({ secretAccessKey: encrypted })]);
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    const message = config.problems.join(' ');
    expect(message).toContain('KooCLI profile "default"');
    expect(message).toContain('not plain text');
    expect(message).not.toContain(encrypted);
  });

  it('HUAWEICLOUD_PROFILE naming a profile KooCLI does not have lists the ones it has', () => {
    const home = tempHome();
    kooCliConfig(home, [kooCliProfile(), kooCliProfile({ name: 'staging' })]);
    const config = load({ HOME: home, HUAWEICLOUD_PROFILE: 'prod', ...TERRAFORM_ENV });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain('has no profile "prod" (from HUAWEICLOUD_PROFILE); it has: default, staging');
  });

  it('HW_ACCESS_KEY without HW_SECRET_KEY', () => {
    const config = load({ HOME: tempHome(), HW_ACCESS_KEY: KEYS.terraform.ak, HW_REGION_NAME: 'cn-north-4' });
    expect(config.target).toBeUndefined();
    expect(config.problems).toContain('HW_ACCESS_KEY is set but HW_SECRET_KEY is not: set both.');
  });

  it('a KooCLI configuration without profiles is not a source: the next one is used', () => {
    const home = tempHome();
    kooCliConfig(home, [], '');
    const config = load({ HOME: home, ...TERRAFORM_ENV });
    expect(config.target?.credentials.ak).toBe(KEYS.terraform.ak);
  });
});

describe('credential file permissions', () => {
  it('warns when the credentials file is readable by others, naming it and the fix', () => {
    const home = tempHome();
    const path = credentialsFile(home, undefined, 0o644);
    const config = load({ HOME: home, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(config.target).toBeDefined();
    expect(config.warnings).toEqual([`${path} holds credentials and is readable by everyone on this machine (mode 644): run chmod 600 ${path}.`]);
  });

  it('warns when the KooCLI configuration is readable by its group', () => {
    const home = tempHome();
    const path = kooCliConfig(home, undefined, undefined, 0o640);
    const config = load({ HOME: home });
    expect(config.warnings.join(' ')).toContain(`${path} holds credentials and is readable by its group (mode 640)`);
  });

  it('says nothing for mode 600', () => {
    const home = tempHome();
    credentialsFile(home);
    expect(load({ HOME: home, HUAWEICLOUD_REGION: 'cn-north-4' }).warnings).toEqual([]);
  });
});

describe('region → endpoint', () => {
  const base = { ...SDK_ENV, HUAWEICLOUD_SDK_PROJECT_ID: PROJECT.env };

  it('a known region maps to er.{region}.myhuaweicloud.com', () => {
    const config = load({ HOME: tempHome(), ...base, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(config.target?.endpoint).toBe('https://er.cn-north-4.myhuaweicloud.com');
    expect(regionEndpoint('ap-southeast-3')).toBe('https://er.ap-southeast-3.myhuaweicloud.com');
  });

  it('eu-west-1xx regions use myhuaweicloud.eu, for ER and for the IAM lookup', () => {
    const config = load({ HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_REGION: 'eu-west-101' });
    expect(config.target?.endpoint).toBe('https://er.eu-west-101.myhuaweicloud.eu');
    expect(config.target?.iamEndpoint).toBe('https://iam.myhuaweicloud.eu');
    expect(load({ HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_REGION: 'cn-north-4' }).target?.iamEndpoint).toBe('https://iam.myhuaweicloud.com');
  });

  it('an unknown region is a problem without HUAWEICLOUD_ER_ENDPOINT, naming where the region came from', () => {
    const config = load({ HOME: tempHome(), ...SDK_ENV, HW_REGION_NAME: 'xx-nowhere-9' });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain('Region "xx-nowhere-9" (from HW_REGION_NAME) is not a known ER region');
  });

  it('an unknown region with an explicit HUAWEICLOUD_ER_ENDPOINT works, with a warning', () => {
    const config = load({ HOME: tempHome(), ...base, HUAWEICLOUD_REGION: 'xx-nowhere-9', HUAWEICLOUD_ER_ENDPOINT: 'https://er.example.test/' });
    expect(config.problems).toEqual([]);
    expect(config.target?.endpoint).toBe('https://er.example.test');
    expect(config.warnings.join(' ')).toContain('Region "xx-nowhere-9" is not a known ER region');
  });

  it('no region anywhere is a problem naming HUAWEICLOUD_REGION', () => {
    const config = load({ HOME: tempHome(), ...base });
    expect(config.problems.join(' ')).toContain('No region: set HUAWEICLOUD_REGION');
  });

  it('a project id that is not a plain id is a problem naming its source', () => {
    const config = load({ HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: '../admin' });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain('The project id from HUAWEICLOUD_SDK_PROJECT_ID must be');
  });
});

describe('http:// endpoints only on loopback', () => {
  it.each(['http://127.0.0.1:8080', 'http://127.9.9.9', 'http://localhost:3000', 'http://[::1]:9000', 'https://er.example.test'])('accepts %s', (url) => {
    const problems: string[] = [];
    expect(checkEndpoint(url, problems)).toBe(new URL(url).origin);
    expect(problems).toEqual([]);
  });

  it.each(['http://er.cn-north-4.myhuaweicloud.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.example.test'])('refuses %s', (url) => {
    const problems: string[] = [];
    expect(checkEndpoint(url, problems)).toBeUndefined();
    expect(problems).toEqual(['HUAWEICLOUD_ER_ENDPOINT uses plain http:// for a host that is not loopback: credentials-signed calls need https://.']);
  });

  it('refuses an endpoint with a path or query instead of silently dropping it', () => {
    const problems: string[] = [];
    expect(checkEndpoint('https://er.example.test/v3', problems)).toBeUndefined();
    expect(checkEndpoint('https://er.example.test/?x=1', problems)).toBeUndefined();
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('must be just scheme, host and port');
  });

  it('refuses other schemes and non-URLs', () => {
    const problems: string[] = [];
    expect(checkEndpoint('ftp://er.example.test', problems)).toBeUndefined();
    expect(checkEndpoint('er.example.test', problems)).toBeUndefined();
    expect(problems).toHaveLength(2);
  });

  it('applies to HUAWEICLOUD_ER_ENDPOINT and HUAWEICLOUD_SDK_IAM_ENDPOINT in the configuration', () => {
    const env = { HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_REGION: 'cn-north-4' };
    const er = load({ ...env, HUAWEICLOUD_ER_ENDPOINT: 'http://er.example.test' });
    expect(er.target).toBeUndefined();
    expect(er.problems.join(' ')).toContain('HUAWEICLOUD_ER_ENDPOINT uses plain http://');
    const iam = load({ ...env, HUAWEICLOUD_SDK_IAM_ENDPOINT: 'http://iam.example.test' });
    expect(iam.target).toBeUndefined();
    expect(iam.problems.join(' ')).toContain('HUAWEICLOUD_SDK_IAM_ENDPOINT uses plain http://');
    expect(load({ ...env, HUAWEICLOUD_SDK_IAM_ENDPOINT: 'http://127.0.0.1:9999' }).target?.iamEndpoint).toBe('http://127.0.0.1:9999');
  });
});

describe('commands', () => {
  it('doctor resolves the target like serve; --sandbox skips it', () => {
    const env = { HOME: tempHome(), ...SDK_ENV, HUAWEICLOUD_REGION: 'cn-north-4' };
    expect(load(env, ['doctor']).command).toBe('doctor');
    expect(load(env, ['doctor']).target?.credentials.ak).toBe(KEYS.env.ak);
    const sandbox = load({ HOME: tempHome() }, ['doctor', '--sandbox']);
    expect(sandbox.sandbox).toBe(true);
    expect(sandbox.problems).toEqual([]);
    expect(() => loadConfig(['doctr'], {})).toThrow(UsageError);
  });
});
