import { describe, expect, it } from 'vitest';
import { ConfigError, organisationConfigShape, parseConfig } from '../src/index.js';

describe('parseConfig', () => {
  it('applies defaults', () => {
    const c = parseConfig(organisationConfigShape, {
      ORG_URA: '01000001',
      ORG_NAME: 'X',
      APPLICATION_ID: '1',
      LSP_URL: 'http://127.0.0.1:1',
    });
    expect(c).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 0,
      DATABASE: ':memory:',
      LSP_TIMEOUT_MS: 10_000,
      WIRE: 'json',
    });
  });

  it('names every bad variable and what it held', () => {
    let error: unknown;
    try {
      parseConfig(organisationConfigShape, {
        ORG_URA: '12',
        ORG_NAME: 'X',
        APPLICATION_ID: '1',
        PORT: 'eighty',
        WIRE: 'soap',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('ORG_URA');
    expect(message).toContain('"12"');
    expect(message).toContain('PORT');
    expect(message).toContain('LSP_URL');
    expect(message).toContain('(not set)');
    expect(message).toContain('WIRE');
  });
});
