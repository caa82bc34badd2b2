// What Anki keeps that the extension does not model (a preset's FSRS parameters and orders, a field's options, a
// deck's limits) survives Anki → relay → the extension, edited there → relay → Anki, by full and by normal sync.
import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { Collection } from "../../extension/lib/collection/collection";
import { updatePreset } from "../../extension/lib/collection/presets";
import { RelayClient } from "../../extension/lib/relay-client";
import { fullDownload, sync } from "../../extension/lib/sync/engine";
import { relayForFile } from "./anki-profile";

const relay = relayForFile("anki-keep-settings");

const inAnki = relay.inAnki;

const FSRS = [
  0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, 0.0614, 0.2629, 1.6483,
  0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
];
const HEAVY = FSRS.map((w) => Math.round(w * 1.1 * 10_000) / 10_000);

/** Python that reads back what the test set in Anki. */
const READ = `
conf = col.decks.get_config(1)
heavy = col.decks.get_config(col.decks.get(col.decks.id("Heavy"))["conf"])
field = col.models.by_name("Basic")["flds"][0]
result["preset"] = {
    "name": conf["name"], "perDay": conf["new"]["perDay"], "fsrs": conf["fsrsParams6"],
    "newSortOrder": conf["newSortOrder"], "reviewOrder": conf["reviewOrder"],
    "easyDays": conf["easyDaysPercentages"], "hardFactor": conf["rev"]["hardFactor"], "minInt": conf["lapse"]["minInt"],
}
result["heavy"] = {"name": heavy["name"], "fsrs": heavy["fsrsParams6"]}
result["field"] = {"plainText": field["plainText"], "collapsed": field["collapsed"]}
result["deck"] = {"reviewLimit": col.decks.get(1).get("reviewLimit")}
`;

interface Settings {
  preset: Record<string, unknown>;
  heavy: { name: string; fsrs: number[] };
  field: Record<string, boolean>;
  deck: Record<string, unknown>;
  required?: number;
}

const close = (list: number[]) => list.map((n) => Math.round(n * 10_000) / 10_000);

describe("what Anki keeps beyond the extension's model", () => {
  it("a preset's FSRS parameters and orders, a field's options and a deck's limits survive a trip through the extension", async () => {
    const username = "keeps.settings";
    const token = await relay.signUp(username);
    const desktop = (await inAnki(
      "desktop",
      username,
      `
import json
conf = col.decks.get_config(1)
conf["fsrsParams6"] = json.loads(${JSON.stringify(JSON.stringify(FSRS))})
conf["newSortOrder"] = 3
conf["reviewOrder"] = 2
conf["easyDaysPercentages"] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]
conf["rev"]["hardFactor"] = 1.1
conf["lapse"]["minInt"] = 2
col.decks.update_config(conf)
heavy = col.decks.add_config_returning_id("Heavy")
hc = col.decks.get_config(heavy)
hc["fsrsParams6"] = json.loads(${JSON.stringify(JSON.stringify(HEAVY))})
col.decks.update_config(hc)
deck = col.decks.get(col.decks.id("Heavy"))
deck["conf"] = heavy
col.decks.save(deck)
m = col.models.by_name("Basic")
m["flds"][0]["plainText"] = True
m["flds"][0]["collapsed"] = True
col.models.update_dict(m)
d = col.decks.get(1)
d["reviewLimit"] = 77
col.decks.save(d)
n = col.new_note(col.models.by_name("Basic"))
n["Front"] = "kept"
n["Back"] = "back"
col.add_note(n, 1)
col.sync_collection(auth, False)
full(True)
${READ}
`,
    )) as unknown as Settings;
    expect(close(desktop.preset.fsrs as number[])).toEqual(FSRS);

    // The extension downloads it and edits the preset's name and new cards a day, and syncs.
    const browser = await Collection.open("keeps-settings", { now: () => Date.now() });
    const client = new RelayClient(relay.url, token);
    expect((await sync(browser, client)).kind).toBe("needs-choice");
    expect((await fullDownload(browser, client)).kind).toBe("synced");
    expect((await updatePreset(browser, 1, { name: "Default, renamed", newPerDay: 44 })).ok).toBe(true);
    expect((await sync(browser, client)).kind).toBe("synced");

    const expected = {
      name: "Default, renamed",
      perDay: 44,
      newSortOrder: 3,
      reviewOrder: 2,
      easyDays: [1, 1, 1, 1, 1, 0.5, 0],
      hardFactor: 1.1,
      minInt: 2,
    };
    // A phone downloads it whole; the desktop gets the edit by a normal sync, keeping the rest.
    const phone = (await inAnki(
      "phone",
      username,
      `col.sync_collection(auth, False)\nfull(False)\n${READ}`,
    )) as unknown as Settings;
    const again = (await inAnki(
      "desktop",
      username,
      `result["required"] = col.sync_collection(auth, False).required\n${READ}`,
    )) as unknown as Settings;
    for (const anki of [phone, again]) {
      expect(anki.preset).toMatchObject(expected);
      expect(close(anki.preset.fsrs as number[])).toEqual(FSRS);
      expect(anki.heavy.name).toBe("Heavy");
      expect(close(anki.heavy.fsrs)).toEqual(HEAVY);
      expect(anki.field).toEqual({ plainText: true, collapsed: true });
      expect(anki.deck).toEqual({ reviewLimit: 77 });
    }
    expect(again.required).toBe(0);
    browser.close();
  });
});
