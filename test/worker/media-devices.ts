// Devices with media for media sync scenarios: the extension's real media store and media sync over fake-indexeddb,
// talking to the real relay in this workerd through the device's network (so requests are counted and can fail).
import { MediaClient } from "../../extension/lib/media/client";
import { addMedia, listMedia, readMedia } from "../../extension/lib/media/store";
import { type MediaSyncOptions, type MediaSyncOutcome, syncMedia } from "../../extension/lib/media/sync";
import { Device } from "./devices";
import { BASE, signUp } from "./relay";

export class MediaDevice {
  readonly media: MediaClient;

  constructor(
    readonly device: Device,
    readonly token: string,
  ) {
    this.media = new MediaClient(BASE, token, device.network.fetch);
  }

  get col() {
    return this.device.col;
  }

  static async create(name: string, token: string, start?: number): Promise<MediaDevice> {
    return new MediaDevice(await Device.create(name, token, start), token);
  }

  syncMedia(options: MediaSyncOptions = {}): Promise<MediaSyncOutcome> {
    this.device.clock.tick();
    return syncMedia(this.col, this.media, options);
  }

  async add(name: string, text: string): Promise<string> {
    this.device.clock.tick();
    const added = await addMedia(this.col, name, new TextEncoder().encode(text));
    if (!added.ok) throw new Error(added.error);
    return added.value.name;
  }

  /** Each file's name and text, sorted by name: what must be equal on converged devices. */
  async files(): Promise<[string, string][]> {
    const out: [string, string][] = [];
    for (const info of await listMedia(this.col)) {
      const file = await readMedia(this.col, info.name);
      out.push([info.name, new TextDecoder().decode(file?.bytes)]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** Requests made since the last call, as "METHOD /path" without the query. */
  takeRequests(): string[] {
    const requests = this.device.network.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);
    this.device.network.requests = [];
    return requests;
  }
}

/** A fresh account with two media devices on it. */
export async function twoMediaDevices() {
  const account = await signUp();
  const a = await MediaDevice.create("A", account.token);
  const b = await MediaDevice.create("B", account.token, a.device.clock.time + 5_000);
  return { account, a, b };
}
