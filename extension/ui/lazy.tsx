import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** Renders a component whose code is loaded on first use, so that pages open without code they may not need. */
export function Lazy<P extends object>({ load, props }: { load: () => Promise<ComponentType<P>>; props: P }) {
  const [Component, setComponent] = useState<ComponentType<P> | null>(null);
  useEffect(() => {
    let live = true;
    void load().then((c) => live && setComponent(() => c));
    return () => {
      live = false;
    };
  }, [load]);
  return Component ? <Component {...props} /> : <p class="muted">Loading…</p>;
}
