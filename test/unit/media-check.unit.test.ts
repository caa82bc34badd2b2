import { describe, expect, it } from "vitest";
import { addNote } from "../../extension/lib/collection/notes";
import { checkMedia } from "../../extension/lib/media/check";
import { mediaForHtml } from "../../extension/lib/media/for-card";
import { addMedia, deleteMedia } from "../../extension/lib/media/store";
import { mediaReferences } from "../../shared/media-refs";
import { freshCollection, noteTypeByName } from "./factories";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("media references", () => {
  it("finds images, sounds, sources and CSS urls, decoding entities and %-escapes, and skips remote addresses", () => {
    const html =
      "<img src=\"cat.jpg\"> <img class=x src='a&amp;b.png'> [sound:bell.mp3] <img src=my%20dog.gif>" +
      '<audio src="hum.ogg"></audio><div style="background: url(\'bg.png\')"></div>' +
      '<img src="https://example.com/x.png"><img src="data:image/png;base64,AAA="><img src="//cdn/x.png">' +
      '<img src="cat.jpg">';
    expect(mediaReferences(html)).toEqual(["cat.jpg", "a&b.png", "my dog.gif", "hum.ogg", "bg.png", "bell.mp3"]);
  });
});

describe("Check Media", () => {
  it("lists files no note uses and references to files that are missing; underscore files count as used", async () => {
    const { col } = await freshCollection();
    const basic = await noteTypeByName(col, "Basic");
    await addMedia(col, "used.png", bytes("u"));
    await addMedia(col, "unused.png", bytes("n"));
    await addMedia(col, "_font.woff2", bytes("f"));
    const note = await addNote(col, {
      noteTypeId: basic.id,
      deckId: 1,
      fields: ['<img src="used.png">', "[sound:gone.mp3]"],
      tags: "",
    });
    expect(note.ok).toBe(true);
    const check = await checkMedia(col);
    expect(check.unused.map((f) => f.name)).toEqual(["unused.png"]);
    expect(check.missing).toEqual([{ name: "gone.mp3", noteIds: [note.ok ? note.value.id : 0] }]);
    expect(check.used).toBe(2);
    await deleteMedia(
      col,
      check.unused.map((f) => f.name),
    );
    expect((await checkMedia(col)).unused).toEqual([]);
  });
});

describe("media for a card", () => {
  it("reads every stored file the card's HTML refers to, and leaves out the missing", async () => {
    const { col } = await freshCollection();
    await addMedia(col, "a b.png", bytes("picture"));
    await addMedia(col, "ring.ogg", bytes("sound"));
    const files = await mediaForHtml(col, '<img src="a%20b.png"> [sound:ring.ogg] <img src="absent.gif">');
    expect([...files.keys()]).toEqual(["a b.png", "ring.ogg"]);
    expect(files.get("ring.ogg")?.type).toBe("audio/ogg");
    expect(new TextDecoder().decode(files.get("a b.png")?.bytes)).toBe("picture");
  });
});
