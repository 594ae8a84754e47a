// Which repo page the browser shows: the URL's route (lib/hub/url.ts) and the page's own repo header island
// (lib/hub/selectors.ts). Both must agree: a route the URL rules do not know, a 404 page, a profile page
// under a two-segment path has no repo header, and is not a repo; where the header's props name a repo,
// it must be the URL's.
import { SELECTORS } from './selectors';
import { parseHubUrl, type PageInfo } from './url';

export function detectPage(href: string, doc: Document): PageInfo | undefined {
  const info = parseHubUrl(href);
  if (!info) return undefined;
  const header = doc.querySelector<HTMLElement>(SELECTORS.repoHeader);
  if (!header) return undefined;
  const named = headerRepoId(header);
  return named === undefined || named.toLowerCase() === info.repo.id.toLowerCase() ? info : undefined;
}

/** The repo id in a header island's props (`model.id`, `dataset.id` or `space.id`), when it has one. */
function headerRepoId(header: HTMLElement): string | undefined {
  try {
    const props = JSON.parse(header.dataset.props ?? '{}') as Record<string, { id?: unknown } | undefined>;
    const id = props.model?.id ?? props.dataset?.id ?? props.space?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
