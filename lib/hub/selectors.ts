// Every hook into huggingface.co's pages, in one place (HUB.md "DOM hooks": the robust hooks, never Tailwind
// class chains). A Hub markup change is a fix here. Each hook carries how many times it must match on each
// page of the local replica (after Refined GitHub's selectors.ts and its test): test/unit/hub/selectors.test.ts
// renders those pages and counts, and the end-to-end tests import the same hooks.

/** The three repo header islands (HUB.md "Header islands differ by repo type"). */
const REPO_HEADER =
  ':is([data-target="ModelHeader"], [data-target="DatasetHeader"], [data-target="SpaceHeader"])';

export const SELECTORS = {
  /** A repo page's header island: with the URL, what makes a page a repo page. */
  repoHeader: REPO_HEADER,
  /** The repo's name in its header, where the repo chip goes. */
  repoTitle: `${REPO_HEADER} h1`,
  /** The file list of "Files and versions", with `entries` and `nextURL` in its props. */
  treeIsland: '[data-target="ViewerIndexTreeList"]',
  /** One row of the file list (files and folders; rows appended on scroll too). */
  treeRow: '[data-target="ViewerIndexTreeList"] li',
  /** A file row's link to its blob page (a folder's link is `/tree/`). */
  treeFileLink: '[data-target="ViewerIndexTreeList"] li a[href*="/blob/"]',
  /** The blob page's body. */
  blobPage: 'body.ViewerBlobPage',
  /** The blob page's header island; the verdict panel goes after it, outside every island. */
  blobHeader: '[data-target="ViewerHeader"]',
  /** A pull request's or discussion's title, in its header island. */
  discussionTitle: '[data-target="DiscussionHeader"] h1',
  /** Links to a discussion or pull request (the Community list, and elsewhere). */
  discussionLink: 'a[href*="/discussions/"]',
} as const;

type SelectorName = keyof typeof SELECTORS;

/** Pages of the replica's sample repos (test/hub/sample-repos.ts) at the replica's default page size. */
export const REPLICA_PAGES = {
  tree: '/picklens/fixtures/tree/main',
  modelHome: '/picklens/history',
  datasetHome: '/datasets/datasets-org/data',
  spaceHome: '/spaces/picklens/demo',
  blob: '/picklens/history/blob/main/model.safetensors',
  discussions: '/picklens/history/discussions',
  pullRequest: '/picklens/history/discussions/3',
  orgProfile: '/picklens',
  userProfile: '/alice',
  listing: '/models',
  bucket: '/buckets/picklens/weights',
  collection: '/collections/picklens/study-repos-1',
} as const;

export type ReplicaPage = keyof typeof REPLICA_PAGES;

/** Every page of a repo has its header, with the repo's name in it. */
const EVERY_REPO_PAGE: Partial<Record<ReplicaPage, number>> = {
  tree: 1,
  modelHome: 1,
  datasetHome: 1,
  spaceHome: 1,
  blob: 1,
  discussions: 1,
  pullRequest: 1,
};

/** Matches each hook must have on each replica page; a page not named must have none. */
export const EXPECTED_MATCHES: Record<SelectorName, Partial<Record<ReplicaPage, number>>> = {
  repoHeader: EVERY_REPO_PAGE,
  repoTitle: EVERY_REPO_PAGE,
  treeIsland: { tree: 1 },
  // 47 files in the fixtures repo, 50 rows per page: every file on the first page.
  treeRow: { tree: 47 },
  treeFileLink: { tree: 47 },
  blobPage: { blob: 1 },
  blobHeader: { tree: 1, blob: 1 },
  discussionTitle: { pullRequest: 1 },
  // Three discussions listed; the PR page links its own "Files changed".
  discussionLink: { discussions: 3, pullRequest: 1 },
};
