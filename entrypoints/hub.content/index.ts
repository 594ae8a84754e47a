// The content script on huggingface.co. Issue 2 ships the shell (it proves the match patterns and the
// build); page features (tree badges, blob panel, repo summary, PR marks) arrive with issue 5.
export default defineContentScript({
  matches: ['https://huggingface.co/*'],
  runAt: 'document_idle',
  main(ctx) {
    // Marks the page so the end-to-end test can see the script ran; removed when the context dies.
    document.documentElement.dataset.picklens = 'loaded';
    ctx.onInvalidated(() => delete document.documentElement.dataset.picklens);
  },
});
