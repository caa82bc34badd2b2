// The collection's own media store (extension/lib/media/store.ts) seen through the MediaStore interface the
// package code uses.
import type { Collection } from "../collection/collection";
import { done, refuse } from "../collection/collection";
import { addMedia, deleteMedia, listMedia, mediaInfo, readMedia } from "../media/store";
import type { MediaStore } from "./media";

export function collectionMedia(col: Collection): MediaStore {
  return {
    async has(name) {
      const info = await mediaInfo(col, name);
      return info ? { sha1: info.sha1, size: info.size } : undefined;
    },
    async put(name, bytes) {
      const added = await addMedia(col, name, bytes);
      return added.ok ? done(added.value.name) : refuse(added.error);
    },
    async get(name) {
      return (await readMedia(col, name))?.bytes;
    },
    async names() {
      return (await listMedia(col)).map((m) => m.name);
    },
    async remove(names) {
      // Files stored by a failed import never synced, so they simply go.
      await deleteMedia(col, names);
    },
  };
}
