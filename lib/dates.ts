// ISO dates compare as strings (same format, same zone): one comparator for every list sorted by `date`.
export const byDate = <T extends { date: string }>(a: T, b: T): number =>
  a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
