// The engine as the content script loads it: on demand (import() of this module, built separately as
// engine.mjs), only when a verdict is not already known. Pages whose verdicts are all cached never load it.
export { classifyContent, fromFailedRead } from './formats/classify';
export { HubFileSource, Limiter } from './hub/http-source';
