/**
 * The deployment files (Dockerfile, .dockerignore, docker-compose.yml, .env.example, deploy/), checked statically: no
 * Docker, no network. Each rule is a function that lists problems; the suite asserts the shipped files have none, and
 * feeds each rule a broken example to show that it can fail.
 */
import { describe, expect, it } from 'vitest';
import {
  type Compose,
  loadCompose,
  composeText,
  compose,
  dockerfile,
  dockerignore,
  envExample,
  LONG_RUNNING,
  ONE_SHOTS,
  imageProblems,
  servicesProblems,
  composeImageProblems,
  portProblems,
  healthcheckProblems,
  dependencyProblems,
  applicationEnvironmentProblems,
  referenceProblems,
  dockerfileProblems,
  dockerignoreProblems,
  envExampleProblems,
} from '../helpers/deployment-rules.js';

describe('docker-compose.yml', () => {
  it('parses, with the services of the stack', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining([...LONG_RUNNING, ...ONE_SHOTS]));
    expect(servicesProblems(compose)).toEqual([]);
  });

  it('pins every image to an exact version', () => {
    expect(composeImageProblems(compose)).toEqual([]);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    expect(portProblems(compose)).toEqual([]);
    expect(Object.values(compose.services).some((service: any) => service.ports?.length)).toBe(true);
  });

  it('has a healthcheck wherever something waits for one, and none that cannot pass', () => {
    expect(healthcheckProblems(compose)).toEqual([]);
  });

  it('starts each service after what it needs, with conditions', () => {
    expect(dependencyProblems(compose)).toEqual([]);
  });

  it('gives the api and the worker every variable the product reads, and requires the secrets', () => {
    expect(applicationEnvironmentProblems(compose)).toEqual([]);
  });

  it('mounts and runs files that exist', () => {
    expect(referenceProblems(compose)).toEqual([]);
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('builds in stages from a pinned glibc base and runs the API as a user with a healthcheck', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('keeps secrets and local builds out of the build context', () => {
    expect(dockerignoreProblems(dockerignore)).toEqual([]);
  });
});

describe('.env.example', () => {
  it('lists every variable a process reads and nothing unknown', () => {
    expect(envExampleProblems(envExample, compose)).toEqual([]);
  });
});

// ---- each rule can fail --------------------------------------------------------------------------------------------

describe('the rules catch broken files', () => {
  const broken = (change: (doc: Compose) => void): Compose => {
    const doc = loadCompose(composeText);
    change(doc);
    return doc;
  };

  it('images: latest, no tag, a major version only, a variable', () => {
    expect(imageProblems('postgres:latest', false)).not.toEqual([]);
    expect(imageProblems('postgres', false)).not.toEqual([]);
    expect(imageProblems('registry.example.com:5000/postgres', false)).not.toEqual([]);
    expect(imageProblems('postgres:16', false)).not.toEqual([]);
    expect(imageProblems('temporalio/server:${TEMPORAL_VERSION}', false)).not.toEqual([]);
    expect(imageProblems('incident-collaboration-temporal:local', false)).not.toEqual([]);
    expect(imageProblems('node:20.20.2-bookworm-slim', false)).toEqual([]);
    expect(composeImageProblems(broken((doc) => (doc.services.mattermost.image = 'mattermost/mattermost-team-edition')))).not.toEqual([]);
  });

  it('services: a missing one, one worker, a one-shot that restarts, admin-tools of another version', () => {
    expect(servicesProblems(broken((doc) => delete doc.services['temporal-ui']))).not.toEqual([]);
    expect(servicesProblems(broken((doc) => (doc.services.worker.deploy.replicas = 1)))).not.toEqual([]);
    expect(servicesProblems(broken((doc) => (doc.services['temporal-setup'].restart = 'on-failure')))).not.toEqual([]);
    expect(servicesProblems(broken((doc) => (doc.services['temporal-schema'].image = 'temporalio/admin-tools:1.0.0')))).not.toEqual([]);
  });

  it('ports: on every interface', () => {
    expect(portProblems(broken((doc) => (doc.services.api.ports = ['8080:8080'])))).not.toEqual([]);
    expect(portProblems(broken((doc) => (doc.services.api.ports = [{ target: 8080, published: 8080 }])))).not.toEqual([]);
  });

  it('healthchecks: missing, or left on for the worker', () => {
    expect(healthcheckProblems(broken((doc) => delete doc.services.mattermost.healthcheck))).not.toEqual([]);
    expect(healthcheckProblems(broken((doc) => delete doc.services.worker.healthcheck))).not.toEqual([]);
  });

  it('depends_on: no condition, the wrong one, a missing link', () => {
    expect(dependencyProblems(broken((doc) => (doc.services.api.depends_on = ['postgres'])))).not.toEqual([]);
    expect(dependencyProblems(broken((doc) => (doc.services.api.depends_on['search-attributes'].condition = 'service_started')))).not.toEqual([]);
    expect(dependencyProblems(broken((doc) => delete doc.services.worker.depends_on['search-attributes']))).not.toEqual([]);
  });

  it('environment: a missing variable, sandboxes on, a TLS variable passed, an optional secret, a wrong address', () => {
    expect(applicationEnvironmentProblems(broken((doc) => delete doc.services.worker.environment.ZOOM_CLIENT_ID))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.api.environment.SANDBOXES = '${SANDBOXES:-on}')))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.api.environment.TEMPORAL_API_KEY = '${TEMPORAL_API_KEY:-}')))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.api.environment.API_TOKENS = '${API_TOKENS:-}')))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.worker.environment.TEMPORAL_ADDRESS = 'localhost:7233')))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.worker.environment.MATTERMOST_BOT_TOKEN = '${MATTERMOST_TOKEN:-}')))).not.toEqual([]);
    expect(applicationEnvironmentProblems(broken((doc) => (doc.services.postgres.environment.POSTGRES_PASSWORD = '${POSTGRES_PASSWORD}')))).not.toEqual([]);
  });

  it('references: a script or mount that is not there', () => {
    expect(referenceProblems(broken((doc) => (doc.services.worker.command = ['node', 'dist/workers/missing.js'])))).not.toEqual([]);
    expect(referenceProblems(broken((doc) => (doc.services.postgres.volumes = ['./deploy/postgres/missing.sh:/docker-entrypoint-initdb.d/x.sh:ro'])))).not.toEqual([]);
  });

  it('Dockerfile: one stage, a floating base, root, no healthcheck, npm install', () => {
    const lastFrom = dockerfile.lastIndexOf('\nFROM ');
    expect(dockerfileProblems(dockerfile.slice(lastFrom + 1).replace(/^FROM base AS runtime/, 'FROM node:20.20.2-bookworm-slim'))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace('node:20.20.2-bookworm-slim', 'node:20-bookworm-slim'))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace('node:20.20.2-bookworm-slim', 'node:20.20.2-alpine3.22'))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace(/^USER .*$/m, 'USER root'))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace(/^USER .*$/m, ''))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace(/^HEALTHCHECK/m, '# HEALTHCHECK').replace(/^ {2}CMD \["node", "-e".*$/m, ''))).not.toEqual([]);
    expect(dockerfileProblems(dockerfile.replace('npm ci --omit=dev --ignore-scripts', 'npm install --omit=dev'))).not.toEqual([]);
    expect(dockerignoreProblems(dockerignore.replace(/^\.env$/m, ''))).not.toEqual([]);
  });

  it('.env.example: a variable missing, an unknown one, an active API key, a secret with a value', () => {
    expect(envExampleProblems(envExample.replace(/^# OPSGENIE_SCHEDULE=.*$/m, ''), compose)).not.toEqual([]);
    expect(envExampleProblems(`${envExample}\nNOT_A_SETTING=1\n`, compose)).not.toEqual([]);
    expect(envExampleProblems(`${envExample}\nPOSTGRES_UNUSED=1\n`, compose)).not.toEqual([]);
    expect(envExampleProblems(envExample.replace('# TEMPORAL_API_KEY=', 'TEMPORAL_API_KEY='), compose)).not.toEqual([]);
    expect(envExampleProblems(envExample.replace(/^API_TOKENS=$/m, 'API_TOKENS=ci:write:sha256:abc'), compose)).not.toEqual([]);
    expect(envExampleProblems(envExample.replace(/^SANDBOXES=off$/m, 'SANDBOXES=on'), compose)).not.toEqual([]);
    expect(envExampleProblems(envExample, broken((doc) => (doc.services.api.environment.EXTRA = '${UNLISTED_VARIABLE:-x}')))).not.toEqual([]);
  });
});
