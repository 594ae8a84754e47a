// Every selector the content script uses on huggingface.co, in one place (HUB.md "DOM hooks": the robust
// hooks, not Tailwind class chains). The replica's pages (test/hub/pages.ts) exercise each of them.
export const SELECTORS = {
  treeIsland: '[data-target="ViewerIndexTreeList"]',
  treeRow: '[data-target="ViewerIndexTreeList"] li',
  fileLink: 'a[href*="/blob/"]',
  downloadLink: 'a[title="Download file"][href*="/resolve/"]',
} as const;
