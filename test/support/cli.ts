// Spawns the real binary (bin/oidc-cli.js → dist/) the way a user or a CI script does.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/oidc-cli.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document (throws with the output when it is not). */
  json<T = Record<string, any>>(): T;
}

export interface CliOptions {
  stdin?: string | Buffer;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  cwd?: string;
  /** Run as this user id (and the same group id); needs root. */
  uid?: number;
  /** Run under this limit of open files (`ulimit -n`, soft and hard: Node raises its soft limit to the hard one). */
  nofile?: number;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, COLUMNS: undefined, ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const [file, ...argv] = options.nofile === undefined ? [process.execPath, BIN, ...args] : ['sh', '-c', 'ulimit -n "$0" && exec "$@"', String(options.nofile), process.execPath, BIN, ...args];
    const child = spawn(file!, argv, { env: env as NodeJS.ProcessEnv, cwd: options.cwd ?? ROOT, stdio: 'pipe', ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oidc-cli ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20000} ms\nstderr: ${Buffer.concat(err).toString()}`));
    }, options.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** True when output contains what a Node stack trace looks like. */
export const hasStackTrace = (text: string) => /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at .+:\d+:\d+/.test(text);
