/**
 * Generated tables inside hand-written Markdown: the text between a BEGIN and an END marker is
 * the generator's, the rest the author's. A test compares each file with its regenerated self.
 */

/** `text` with the block between `begin` and `end` replaced by `content`. */
export function replaceGeneratedBlock(text: string, begin: string, end: string, content: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`no ${begin} … ${end} block`);
  return `${text.slice(0, start + begin.length)}\n${content}\n${text.slice(stop)}`;
}
