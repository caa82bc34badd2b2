import { describe, expect, it } from "vitest";
import { listMedia } from "../../extension/lib/media/store";
import { mediaReference, storeFiles } from "../../extension/ui/manager/media-insert";
import { freshCollection } from "./factories";

describe("files put into a field", () => {
  it("pictures become <img>, sounds [sound:…]; other files are refused in words and not stored", async () => {
    const { col } = await freshCollection();
    const files = [
      new File([new Uint8Array([1, 2, 3])], "Cat & dog.PNG", { type: "image/png" }),
      new File([new Uint8Array([4, 5])], "bell.mp3", { type: "audio/mpeg" }),
      new File([new Uint8Array([6])], "", { type: "image/jpeg" }),
      new File(["plain"], "notes.txt", { type: "text/plain" }),
    ];
    const { references, errors } = await storeFiles(col, files);
    expect(references).toEqual(['<img src="Cat &amp; dog.PNG">', "[sound:bell.mp3]", '<img src="pasted.jpg">']);
    expect(errors).toEqual(['"notes.txt" is not a picture or a sound; only those can go in a field.']);
    expect((await listMedia(col)).map((m) => m.name).sort()).toEqual(["Cat & dog.PNG", "bell.mp3", "pasted.jpg"]);
  });

  it("a second, different picture with the same name gets its own name in the reference", async () => {
    const { col } = await freshCollection();
    await storeFiles(col, [new File([new Uint8Array([1])], "image.png", { type: "image/png" })]);
    const { references } = await storeFiles(col, [new File([new Uint8Array([2])], "image.png", { type: "image/png" })]);
    expect(references[0]).toMatch(/^<img src="image-[0-9a-f]{8}\.png">$/);
    expect(mediaReference("clip.webm")).toBe("[sound:clip.webm]");
    expect(mediaReference("doc.pdf")).toBeNull();
  });
});
