/** Every error class in src/ derives from BridgeError, so callers can tell ours from foreign ones. */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/bridge/requests.js';
import { ConfigError } from '../../src/config/errors.js';
import { BridgeError } from '../../src/errors.js';
import { EmbeddedBrokerListenError } from '../../src/mqtt/embedded-broker.js';
import { TopicError } from '../../src/mqtt/topics.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { GateClosedError } from '../../src/netatmo/gate.js';
import { DecodeError } from '../../src/netatmo/validate/decode.js';
import { FetchError } from '../../src/security/bounded-fetch.js';
import { SimApiError } from '../../src/simulator/api-error.js';
import { OAuthError } from '../../src/simulator/oauth.js';
import { TokenStoreError } from '../../src/tokens/stored-token.js';
import { NotARegularFileError } from '../../src/util/private-file.js';
import { BodyTooLargeError, RequestAbortedError } from '../../src/util/request-body.js';
import { sourceFiles } from '../support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');
const BUILT_IN_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'AggregateError']);

/** `file: Class` for every class in src/ that extends a built-in error directly. */
function directBuiltInSubclasses(): string[] {
  return sourceFiles(SRC).flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isClassLike(node)) {
        const base = node.heritageClauses
          ?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)
          ?.types[0]?.expression.getText(source);
        if (base !== undefined && BUILT_IN_ERRORS.has(base)) {
          found.push(`${relative(SRC, file)}: ${node.name?.text ?? '(anonymous)'}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  });
}

describe('BridgeError', () => {
  it('is the only class in src/ that extends a built-in error', () => {
    expect(directBuiltInSubclasses()).toEqual(['errors.ts: BridgeError']);
  });

  it.each([
    ['BodyTooLargeError', new BodyTooLargeError('request body too large')],
    ['ConfigError', new ConfigError([{ path: 'mqtt.server', reason: 'is required' }])],
    ['TopicError', new TopicError('refusing to publish to an empty topic')],
    ['RequestError', new RequestError("unknown home 'x'")],
    ['NetatmoError', new NetatmoError('throttled', 'quota reached', { cause: new Error('429') })],
    ['GateClosedError', new GateClosedError('getHomeStatus')],
    ['DecodeError', new DecodeError('body.homes[0].id', 'expected a string')],
    ['TokenStoreError', new TokenStoreError('corrupt', '/data/token.json', 'not JSON')],
    ['SimApiError', new SimApiError(403, 26, 'User usage reached')],
    ['OAuthError', new OAuthError('invalid_grant')],
    ['FetchError', new FetchError('the camera answered 404')],
    ['RequestAbortedError', new RequestAbortedError('the client closed the connection')],
    ['NotARegularFileError', new NotARegularFileError('/data/token.json', 'a symbolic link')],
    [
      'EmbeddedBrokerListenError',
      new EmbeddedBrokerListenError(
        '127.0.0.1',
        1883,
        Object.assign(new Error('in use'), { code: 'EADDRINUSE' }),
      ),
    ],
  ])('%s is a BridgeError that keeps its own name and message', (name, error) => {
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('socket hang up');
    expect(new NetatmoError('transient', 'token endpoint unreachable', { cause }).cause).toBe(cause);
    expect(new TokenStoreError('write_failed', '/data/token.json', 'disk full', cause).cause).toBe(cause);
  });
});
