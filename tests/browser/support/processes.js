// Real processes for the browser tests: redis-server and the gateway, on free loopback ports.
// Every wait is bounded and fails with what the process printed.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { redisClient } from './resp.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const projectDir = path.join(repoRoot, 'src', 'PushGateway');

/** A port the kernel just handed out on 127.0.0.1 (free at the time of asking). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitUntil(what, check, { timeoutMs = 15_000, intervalMs = 100, describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = [lastError?.message, describe?.()].filter(Boolean).join('\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A child process whose output is kept (the last lines) for failure messages. */
class Child {
  constructor(name, command, args, options) {
    this.name = name;
    this.lines = [];
    this.process = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (text) => {
        this.lines.push(...text.split('\n').filter(Boolean));
        if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
      });
    }
  }

  get output() {
    return `--- last output of ${this.name} ---\n${this.lines.slice(-40).join('\n')}`;
  }

  get running() {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async kill(signal = 'SIGTERM', timeoutMs = 10_000) {
    if (!this.running) return this.exited;
    this.process.kill(signal);
    const timer = setTimeout(() => this.running && this.process.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export async function startRedis() {
  const port = await freePort();
  const child = new Child('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {});
  const client = await waitUntil(`redis-server on port ${port}`, async () => {
    if (!child.running) throw new Error('redis-server exited');
    const c = await redisClient(port);
    await c.command('PING');
    return c;
  }, { timeoutMs: 10_000, describe: () => child.output });
  return {
    port,
    client,
    async stop() {
      client.close();
      await child.kill('SIGTERM');
    },
  };
}

/** The gateway dll: $PUSHGW_DLL, or a Debug build of src/PushGateway made once per run. */
export function gatewayDll() {
  if (process.env.PUSHGW_DLL) {
    if (!fs.existsSync(process.env.PUSHGW_DLL)) throw new Error(`PUSHGW_DLL=${process.env.PUSHGW_DLL} does not exist`);
    return process.env.PUSHGW_DLL;
  }
  const build = spawnSync('dotnet', ['build', projectDir, '-c', 'Debug', '-nologo', '-v', 'q'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  if (build.status !== 0) throw new Error(`dotnet build failed (${build.status ?? build.signal}):\n${build.stdout}\n${build.stderr}`);
  return path.join(projectDir, 'bin', 'Debug', 'net10.0', 'PushGateway.dll');
}

/**
 * Starts the gateway on `port` against Redis, with the embedded feed simulator on, and waits for
 * GET /healthz. The content root is the project folder, so wwwroot and /client are served from the checkout.
 */
export async function startGateway({ dll, port, redisPort }) {
  const child = new Child('gateway', 'dotnet', [
    dll,
    '--contentRoot', projectDir,
    '--urls', `http://127.0.0.1:${port}`,
    `--Redis:ConnectionString=127.0.0.1:${redisPort}`,
    '--Feeds:Enabled=true',
  ], { cwd: projectDir, env: { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
  await waitUntil(`the gateway's /healthz on port ${port}`, async () => {
    if (!child.running) throw new Error(`the gateway exited: ${JSON.stringify(await child.exited)}`);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  }, { timeoutMs: 30_000, intervalMs: 150, describe: () => child.output });
  return child;
}
