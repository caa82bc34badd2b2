// Media from the collection's store shown in the manager: a file becomes an object URL while it is on screen.
import { useEffect, useState } from "preact/hooks";
import type { Collection } from "../../lib/collection/collection";
import { isImageName, mediaMimeType } from "../../lib/media/names";
import { readMedia } from "../../lib/media/store";
import "./media.css";

/** An object URL of a stored file, revoked when the component goes away; null while loading or when missing. */
export function useMediaUrl(col: Collection, name: string, version = 0): { url: string | null; missing: boolean } {
  const [state, setState] = useState<{ url: string | null; missing: boolean }>({ url: null, missing: false });
  useEffect(() => {
    let url: string | null = null;
    let live = true;
    void readMedia(col, name).then((file) => {
      if (!live) return;
      if (!file) {
        setState({ url: null, missing: true });
        return;
      }
      url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
      setState({ url, missing: false });
    });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [col, name, version]);
  return state;
}

/** A small view of one file: the picture, a player for a sound, or the name of a file that is missing. */
export function MediaThumb({ col, name, version }: { col: Collection; name: string; version?: number }) {
  const { url, missing } = useMediaUrl(col, name, version);
  if (missing) {
    return (
      <span class="media-thumb missing" title={`${name} is not in the collection`}>
        missing: {name}
      </span>
    );
  }
  if (!url) return <span class="media-thumb muted">{name}</span>;
  if (isImageName(name)) {
    return (
      <a class="media-thumb" href={url} target="_blank" rel="noreferrer" title={name}>
        <img src={url} alt={name} />
      </a>
    );
  }
  const type = mediaMimeType(name);
  if (type.startsWith("audio/") || type.startsWith("video/")) {
    return (
      <span class="media-thumb sound" title={name}>
        {/* biome-ignore lint/a11y/useMediaCaption: collection sounds come without captions */}
        <audio controls preload="none" src={url} aria-label={name} />
      </span>
    );
  }
  return <span class="media-thumb muted">{name}</span>;
}
