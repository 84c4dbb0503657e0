/**
 * Percent-encodes as a client would send it, lone surrogates included (as the three bytes WTF-8
 * gives them, which is what a sloppy client's UTF-8 encoder writes): encodeURIComponent refuses those.
 */
export function encodeLoosely(s: string): string {
  return s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\s\S]/g, (ch) => {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(ch);
  });
}
