// The media files a note's HTML (or a template's) refers to: <img src>, <audio>/<video>/<source> src, <object data>,
// CSS url(…), and Anki's [sound:…]. Remote addresses (http:, data:, //…) are not media files of the collection.

const TAG_ATTRIBUTE =
  /<(?:img|audio|video|source|track|embed|input)\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const OBJECT_DATA = /<object\b[^>]*?\bdata\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]+))\s*\)/gi;
const SOUND = /\[sound:([^\]]+)\]/g;
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

/** HTML character references decoded: &amp; &#39; &#x27; and the few named ones fields carry. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function local(raw: string): string | null {
  const decoded = decodeEntities(raw).trim();
  if (decoded === "" || REMOTE.test(decoded)) return null;
  // Editors write names with spaces as %20; a name that is not valid percent-encoding stays as it is.
  let name = decoded;
  if (/%[0-9a-f]{2}/i.test(decoded)) {
    try {
      name = decodeURIComponent(decoded);
    } catch {
      name = decoded;
    }
  }
  return name.normalize("NFC");
}

/** The names of the collection's media files that `html` refers to, each once, in order of appearance. */
export function mediaReferences(html: string): string[] {
  const found = new Set<string>();
  for (const pattern of [TAG_ATTRIBUTE, OBJECT_DATA, CSS_URL]) {
    for (const match of html.matchAll(pattern)) {
      const name = local(match[1] ?? match[2] ?? match[3] ?? "");
      if (name) found.add(name);
    }
  }
  for (const match of html.matchAll(SOUND)) {
    const name = decodeEntities(match[1] ?? "")
      .trim()
      .normalize("NFC");
    if (name) found.add(name);
  }
  return [...found];
}

/**
 * The HTML with every reference to the media file `from` (found as mediaReferences finds them) naming `to` instead,
 * written as the reference was: quoted as it was, percent-encoded where it was. Other references stay as they are.
 */
export function replaceMediaReference(html: string, from: string, to: string): string {
  const target = from.normalize("NFC");
  let out = html;
  for (const pattern of [TAG_ATTRIBUTE, OBJECT_DATA, CSS_URL]) {
    out = out.replace(pattern, (whole: string, double?: string, single?: string, bare?: string) => {
      const raw = double ?? single ?? bare ?? "";
      if (local(raw) !== target) return whole;
      const written = /%[0-9a-f]{2}/i.test(raw) ? encodeURI(to) : escapeAttribute(to, double !== undefined);
      const at = whole.lastIndexOf(raw);
      return at < 0 ? whole : `${whole.slice(0, at)}${written}${whole.slice(at + raw.length)}`;
    });
  }
  return out.replace(SOUND, (whole: string, name: string) =>
    decodeEntities(name).trim().normalize("NFC") === target ? `[sound:${to}]` : whole,
  );
}

/** A file name as an attribute value holds it: & and the quote that closes it escaped. */
function escapeAttribute(name: string, doubleQuoted: boolean): string {
  const text = name.replace(/&/g, "&amp;");
  return doubleQuoted ? text.replace(/"/g, "&quot;") : text.replace(/'/g, "&#39;");
}
