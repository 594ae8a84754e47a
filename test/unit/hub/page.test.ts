// A page is a repo page when its URL says so and its repo header island agrees (lib/hub/page.ts).
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { detectPage } from '../../../lib/hub/page';

function doc(body: string): Document {
  const w = new Window({ url: 'https://huggingface.co/' });
  w.document.write(`<!doctype html><html><body>${body}</body></html>`);
  return w.document as unknown as Document;
}
const header = (target: string, props: unknown) =>
  `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props='${JSON.stringify(props)}'><h1>x</h1></div>`;

describe('detectPage', () => {
  it('a repo URL with its header island is a repo page, for models, datasets and spaces', () => {
    expect(
      detectPage(
        'https://huggingface.co/org/m/tree/main',
        doc(header('ModelHeader', { model: { id: 'org/m' } })),
      )?.page,
    ).toBe('tree');
    expect(
      detectPage(
        'https://huggingface.co/datasets/org/d',
        doc(header('DatasetHeader', { dataset: { id: 'org/d' } })),
      )?.repo,
    ).toEqual({ type: 'dataset', id: 'org/d' });
    expect(detectPage('https://huggingface.co/spaces/org/s', doc(header('SpaceHeader', {})))?.repo).toEqual({
      type: 'space',
      id: 'org/s',
    });
  });

  it('no header island, or one naming another repo: not a repo page (404s, routes the URL rules do not know)', () => {
    expect(detectPage('https://huggingface.co/org/m', doc('<h1>404</h1>'))).toBeUndefined();
    expect(
      detectPage('https://huggingface.co/org/m', doc(header('ModelHeader', { model: { id: 'org/other' } }))),
    ).toBeUndefined();
    // Case differences are the Hub's own (ids are matched as it redirects them).
    expect(
      detectPage('https://huggingface.co/Org/M', doc(header('ModelHeader', { model: { id: 'org/m' } })))
        ?.page,
    ).toBe('home');
  });

  it('a profile, a listing, a bucket or a collection is never a repo page, even with a header island', () => {
    const d = doc(header('ModelHeader', { model: { id: 'picklens' } }));
    for (const u of [
      'https://huggingface.co/picklens',
      'https://huggingface.co/models',
      'https://huggingface.co/buckets/picklens/weights',
      'https://huggingface.co/collections/picklens/x-1',
    ])
      expect(detectPage(u, d), u).toBeUndefined();
  });
});
