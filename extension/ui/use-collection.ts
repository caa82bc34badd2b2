import { useEffect, useRef, useState } from "preact/hooks";
import { Collection } from "../lib/collection/collection";

const CHANNEL = "collection-changes";

/**
 * Opens a profile's collection for a page. `version` goes up whenever this page or another page of the extension
 * changes the collection, so views can reload what they show. A page that opened the collection before its first
 * render (the manager) passes it as `opened`: it serves its profile from the first render and is closed like one
 * opened here.
 */
export function useCollection(profileId: string | null, opened: Collection | null = null) {
  const [col, setCol] = useState<Collection | null>(opened?.profileId === profileId ? opened : null);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const given = useRef(opened);

  useEffect(() => {
    // The collection given by the page serves its profile once; a profile chosen later is opened here.
    const ready = given.current;
    given.current = null;
    if (ready && ready.profileId !== profileId) ready.close();
    if (!profileId) return;
    let open: Collection | null = null;
    let cancelled = false;
    if (ready?.profileId === profileId) {
      open = ready;
      setCol(ready);
    } else {
      Collection.open(profileId)
        .then((c) => {
          if (cancelled) c.close();
          else {
            open = c;
            setCol(c);
          }
        })
        .catch((e: Error) => setError(`The collection could not be opened: ${e.message}`));
    }
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event) => {
      if (event.data === profileId) setVersion((v) => v + 1);
    };
    return () => {
      cancelled = true;
      channel.close();
      open?.close();
      setCol(null);
    };
  }, [profileId]);

  /** Tells every view (here and in other extension pages) that the collection changed. */
  const changed = () => {
    setVersion((v) => v + 1);
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage(profileId);
    channel.close();
  };

  return { col, version, changed, error };
}
