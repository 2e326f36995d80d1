// The built server spawned as `serve --http`, its URL taken from its start-up log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI_PATH } from '../helpers.js';

export interface SpawnedHttpServer {
  child: ChildProcess;
  /** The /mcp URL from the start-up log line. */
  url: string;
  stderr(): string;
  stdout(): string;
  exited: Promise<number | null>;
  stop(): void;
}

/** Spawns dist/cli.js with these arguments and waits for its "listening" log line. */
export async function spawnHttpServer(env: Record<string, string>, args: string[]): Promise<SpawnedHttpServer> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      const match = /"url":"([^"]+)".*MCP over Streamable HTTP listening/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, stdout: () => stdout, exited, stop: () => child.kill('SIGKILL') };
}
