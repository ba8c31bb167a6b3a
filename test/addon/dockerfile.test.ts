import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../src/config/index.js';
import { type Dockerfile, execForm, keyValues, parseDockerfile, type Stage } from './dockerfile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dockerfileText = readFileSync(`${root}Dockerfile`, 'utf8');
const dockerfile: Dockerfile = parseDockerfile(dockerfileText);
const finalStage: Stage = dockerfile.stages.at(-1)!;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
const ignorePatterns = readFileSync(`${root}.dockerignore`, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

const HEALTHCHECK_SCRIPT = `${root}rootfs/usr/local/bin/netatmo2mqtt-healthcheck`;
const ENTRYPOINT_SCRIPT = `${root}rootfs/usr/local/bin/netatmo2mqtt-entrypoint`;

function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
}

function stageNamed(name: string): Stage {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

/** `COPY --from=<stage> <src> <dest>` of the final stage, as [stage, src, dest]. */
function copiesFromStages(): Array<[string, string, string]> {
  return finalStage.instructions
    .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))
    .map((i) => {
      const [from = '', src = '', dest = ''] = i.args.split(/\s+/);
      return [from.slice('--from='.length), src, dest];
    });
}

/** Whether .dockerignore keeps `path` out of the build context (plain names and `*` globs). */
function ignored(path: string): boolean {
  return ignorePatterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*')}(/|$)`,
    );
    return regex.test(path);
  });
}

describe('Dockerfile', () => {
  it('builds every stage on the pinned Home Assistant base, with no BUILD_FROM', () => {
    // (A comment may explain why; no instruction may use it.)
    for (const instruction of dockerfile.all) expect(instruction.args).not.toMatch(/BUILD_FROM/);
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of dockerfile.stages) {
      // A fixed version tag (or digest) the Dockerfile names itself: no variable, no `latest`.
      expect(stage.image).toMatch(/^ghcr\.io\/home-assistant\/base:\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('installs Node from the base image packages, and only what runs in the final image', () => {
    const finalRuns = runs(finalStage).join('\n');
    expect(finalRuns).toMatch(/apk add --no-cache [^\n]*\bnodejs\b/);
    // No npm, compiler or sources in the runtime image.
    expect(finalRuns).not.toMatch(/\bnpm\b/);
    expect(finalStage.instructions.some((i) => i.keyword === 'COPY' && /^src\s/.test(i.args))).toBe(false);
  });

  it('compiles TypeScript in a build stage and copies only dist/ from it', () => {
    const copies = copiesFromStages();
    const dist = copies.find(([, src]) => src.endsWith('/dist'));
    expect(dist).toBeDefined();
    const build = stageNamed(dist![0]);
    expect(runs(build).join('\n')).toMatch(/npm ci\b/);
    expect(runs(build).join('\n')).toMatch(/npm run build/);
    expect(dist![2]).toBe('./dist');
    expect(finalStage.instructions.find((i) => i.keyword === 'WORKDIR')?.args).toBe('/app');
  });

  it('ships production dependencies only, installed without lifecycle scripts', () => {
    const modules = copiesFromStages().find(([, src]) => src.endsWith('/node_modules'));
    expect(modules).toBeDefined();
    const install = runs(stageNamed(modules![0])).join('\n');
    expect(install).toMatch(/npm ci [^\n]*--omit=dev/);
    // package.json's `prepare` runs tsc, which a production install does not have.
    expect(install).toMatch(/npm ci [^\n]*--ignore-scripts/);
  });

  it('labels the image as a Home Assistant app with its version and architecture', () => {
    const labels = Object.assign(
      {},
      ...finalStage.instructions.filter((i) => i.keyword === 'LABEL').map((i) => keyValues(i.args)),
    ) as Record<string, string>;
    // Docker expands these build arguments; the literal text is what the Dockerfile must say.
    const buildArg = (name: string): string => `\${${name}}`;
    // Home Assistant's builder labels an app from its config.yaml: name, description, url.
    const addon = parseYaml(readFileSync(`${root}config.yaml`, 'utf8')) as Record<string, string>;
    expect(labels).toMatchObject({
      'io.hass.name': addon.name,
      'io.hass.description': addon.description,
      'io.hass.url': addon.url,
      'io.hass.type': 'app',
      'io.hass.version': buildArg('BUILD_VERSION'),
      'io.hass.arch': buildArg('BUILD_ARCH'),
      'org.opencontainers.image.title': addon.name,
      'org.opencontainers.image.description': addon.description,
      'org.opencontainers.image.url': addon.url,
      'org.opencontainers.image.version': buildArg('BUILD_VERSION'),
      'org.opencontainers.image.licenses': 'MIT',
    });
    for (const key of ['title', 'description', 'source']) {
      expect(labels[`org.opencontainers.image.${key}`], key).toMatch(/\S/);
    }
    const args = Object.assign(
      {},
      ...finalStage.instructions.filter((i) => i.keyword === 'ARG').map((i) => keyValues(i.args)),
    ) as Record<string, string>;
    // A plain `docker build` gets the right labels too.
    expect(args.BUILD_VERSION).toBe(pkg.version);
    expect(['amd64', 'aarch64']).toContain(args.BUILD_ARCH);
  });

  it('has a HEALTHCHECK whose script is in the image and executable', () => {
    const healthchecks = finalStage.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const command = execForm(healthchecks[0]!.args.replace(/^.*?CMD\s+/, ''));
    expect(command).toEqual(['netatmo2mqtt-healthcheck']);
    accessSync(HEALTHCHECK_SCRIPT, constants.X_OK);
  });

  it('runs under tini as an unprivileged user, dropping root in the entrypoint (documented)', () => {
    const entrypoint = execForm(finalStage.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.args);
    expect(entrypoint).toEqual(['/sbin/tini', '--', 'netatmo2mqtt-entrypoint']);
    expect(execForm(finalStage.instructions.find((i) => i.keyword === 'CMD')!.args)).toEqual(['start']);
    const user = finalStage.instructions.find((i) => i.keyword === 'USER');
    if (user) {
      expect(user.args).not.toMatch(/^(root|0)\b/);
    } else {
      // No USER line: the reason is written down, and the entrypoint does drop privileges.
      const reason = finalStage.instructions.find((i) => i.keyword === 'ENTRYPOINT')!.comment;
      expect(reason).toMatch(/No USER/);
      const script = readFileSync(ENTRYPOINT_SCRIPT, 'utf8');
      expect(script).toMatch(/exec su-exec "\$RUN_AS" node "\$APP_MAIN" "\$@"/);
      expect(runs(finalStage).join('\n')).toMatch(/adduser [^\n]*netatmo2mqtt/);
      expect(runs(finalStage).join('\n')).toMatch(/apk add [^\n]*\bsu-exec\b/);
    }
    accessSync(ENTRYPOINT_SCRIPT, constants.X_OK);
    expect(spawnSync('sh', ['-n', ENTRYPOINT_SCRIPT]).status).toBe(0);
  });

  it('exposes the web UI port, which is the default ingress port', () => {
    const expose = finalStage.instructions.find((i) => i.keyword === 'EXPOSE');
    expect(expose?.args).toBe(String(configSchema.properties.web.properties.port.default));
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    for (const stage of dockerfile.stages) {
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--'))) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(`${root}${source}`), `${source} exists`).toBe(true);
          expect(ignored(source.replace(/^\.\//, '')), `${source} is not ignored`).toBe(false);
        }
      }
    }
    for (const bulk of ['node_modules', 'data', 'test', 'bench', '.git', 'dist']) {
      expect(ignored(bulk), bulk).toBe(true);
    }
  });
});

describe('netatmo2mqtt-healthcheck', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(status: number): Promise<number> {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/healthz' ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  function check(port: number): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [HEALTHCHECK_SCRIPT], {
        env: { PATH: process.env.PATH, NETATMO2MQTT_WEB_PORT: String(port) },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  }

  it('is healthy while /healthz answers 200', async () => {
    expect((await check(await serve(200))).code).toBe(0);
  });

  it('is unhealthy when /healthz answers an error, and says so', async () => {
    const result = await check(await serve(503));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 503');
  });

  it('is unhealthy when nothing listens', async () => {
    const port = await serve(200);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const result = await check(port);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ECONNREFUSED');
  });
});
