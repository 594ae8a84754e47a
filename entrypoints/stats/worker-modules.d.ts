// Vite's `?worker` imports (https://vite.dev/guide/features#import-with-query-suffixes): the module's
// default export constructs a Worker running it, bundled as a file of the extension's own origin.
declare module '*?worker' {
  const WorkerConstructor: new () => Worker;
  export default WorkerConstructor;
}
