// The Hub's safetensors conversion bot, in one place (HUB.md "SFconvertbot and convert.py"): its account,
// the title of its pull requests, and the title its merge commits get.

/** The bot's name as the API spells it; compared case-insensitively (transformers writes "SFConvertBot"). */
export const CONVERT_BOT = 'SFconvertbot';
/** The conversion PR's title, constant since 2022. */
const CONVERT_TITLE = 'Adding `safetensors` variant of this model';
/** A merged conversion PR's commit on main: `<PR title> (#N)`. */
export const CONVERT_MERGE_TITLE = /^Adding `safetensors` variant of this model \(#\d+\)$/;

export function isConvertBot(name: string): boolean {
  return name.toLowerCase() === CONVERT_BOT.toLowerCase();
}

/** One of the bot's conversion PRs: a pull request, by the bot, with its exact title. */
export function isConversionPr(d: {
  isPullRequest: boolean;
  author: { name: string };
  title: string;
}): boolean {
  return d.isPullRequest && isConvertBot(d.author.name) && d.title === CONVERT_TITLE;
}

/**
 * The study's test of a conversion-tool commit (its notebook): the commit's message — title and body — names
 * the tool's PR title. A merge's title carries it ("… (#N)"); a squash can carry it in the body only.
 */
export function mentionsConversionTool(title: string, message = ''): boolean {
  return title.includes(CONVERT_TITLE) || message.includes(CONVERT_TITLE);
}
