// Each HubErrorCode as a plain sentence: it names the repo, says what to do, and shows no API path; an error
// that crossed a message keeps its code.
import { describe, expect, it } from 'vitest';
import { HUB_ERROR_WORDS, HubError, hubErrorCode, plainError } from '../../../lib/hub/errors';

describe('error words', () => {
  it('every code names the repo in a sentence, without API paths or internal keys', () => {
    for (const [code, words] of Object.entries(HUB_ERROR_WORDS)) {
      const s = words('org/name');
      expect(s, code).toContain('org/name');
      expect(s, code).toMatch(/^[A-Z].*\.$/);
      expect(s, code).not.toMatch(/\/api\/|model:|HTTP \d/);
    }
  });

  it('a HubError, or any error carrying a known code, gets its sentence; others a generic one', () => {
    expect(plainError(new HubError('repo-not-found', '/api/models/x/y: 404'), 'x/y')).toBe(
      'There is no repo x/y on the Hub, or it is private and you cannot see it.',
    );
    const crossed = Object.assign(new Error('…'), { code: 'gated' });
    expect(hubErrorCode(crossed)).toBe('gated');
    expect(hubErrorCode(Object.assign(new Error('…'), { code: 'ENOENT' }))).toBeUndefined();
    expect(plainError(new Error('/api/models/x/y/tree/main: boom'), 'x/y')).toBe(
      'Something went wrong with x/y; try again.',
    );
  });
});
