import { describe, expect, it } from 'vitest';
import * as url from '../../../lib/hub/url';

const predicates: Record<string, (u: string) => boolean> = {
  isRepoHome: url.isRepoHome,
  isRepoTree: url.isRepoTree,
  isBlob: url.isBlob,
  isCommits: url.isCommits,
  isCommit: url.isCommit,
  isDiscussions: url.isDiscussions,
  isDiscussion: url.isDiscussion,
  isModelsListing: url.isModelsListing,
  isProfile: url.isProfile,
  isBucket: url.isBucket,
  isCollection: url.isCollection,
};

describe('page predicates', () => {
  for (const [name, examples] of Object.entries(url.URL_EXAMPLES)) {
    it(`${name} accepts its examples and every other predicate rejects them`, () => {
      for (const example of examples) {
        for (const [other, pred] of Object.entries(predicates))
          expect(pred(example), `${other}(${example})`).toBe(other === name);
      }
    });
  }

  it('every predicate has examples', () => {
    expect(Object.keys(url.URL_EXAMPLES).sort()).toEqual(Object.keys(predicates).sort());
  });

  it('rejects what is not a repo page', () => {
    for (const u of [
      'https://huggingface.co/',
      'https://huggingface.co/docs/hub',
      'https://huggingface.co/api/models/gpt2',
      'https://example.com/org/m',
      'https://huggingface.co/org/m/tree',
      'https://huggingface.co/org/m/blob/main',
      'https://huggingface.co/org/m/discussions/abc',
    ]) {
      for (const pred of Object.values(predicates)) expect(pred(u), u).toBe(false);
    }
  });

  it('parses repo, revision, path and number', () => {
    expect(url.parseHubUrl('https://huggingface.co/org/m/tree/refs%2Fpr%2F5/sub/dir')).toEqual({
      repo: { type: 'model', id: 'org/m' },
      page: 'tree',
      rev: 'refs/pr/5',
      path: 'sub/dir',
    });
    expect(url.parseHubUrl('https://huggingface.co/datasets/org/d/blob/main/a%20b.bin')).toEqual({
      repo: { type: 'dataset', id: 'org/d' },
      page: 'blob',
      rev: 'main',
      path: 'a b.bin',
    });
    expect(url.parseHubUrl('https://huggingface.co/org/m/discussions/7')).toEqual({
      repo: { type: 'model', id: 'org/m' },
      page: 'discussion',
      num: 7,
    });
  });

  it('profiles, orgs, buckets, collections, settings, papers and search are never repos', () => {
    for (const u of [
      'https://huggingface.co/picklens',
      'https://huggingface.co/gpt2',
      'https://huggingface.co/SFconvertbot/activity/community',
      'https://huggingface.co/buckets/picklens/weights',
      'https://huggingface.co/collections/picklens/x-123',
      'https://huggingface.co/settings/tokens',
      'https://huggingface.co/papers/2502.01234',
      'https://huggingface.co/search/full-text?q=x',
      'https://huggingface.co/organizations/picklens/share/abc',
      'https://huggingface.co/models?search=bert',
    ])
      expect(url.parseHubUrl(u), u).toBeUndefined();
  });

  it('a pasted single name is still a (legacy) model id for the batch', () => {
    expect(url.parseRepoId('gpt2')).toEqual({ type: 'model', id: 'gpt2' });
    expect(url.parseRepoId('model:gpt2')).toEqual({ type: 'model', id: 'gpt2' });
    expect(url.parseRepoId('https://huggingface.co/gpt2')).toBeUndefined();
  });
});
