import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

type Loader<P> = () => Promise<ComponentType<P>>;

// Components already loaded, by their loader: they render at once the next time.
const loaded = new WeakMap<object, unknown>();

function load<P>(loader: Loader<P>): Promise<ComponentType<P>> {
  return loader().then((component) => {
    loaded.set(loader, component);
    return component;
  });
}

/** Loads a component's code ahead of its first use (once the page has shown what it opened for). */
export function preload<P>(loader: Loader<P>): void {
  if (!loaded.has(loader)) void load(loader);
}

/** Renders a component whose code is loaded on first use, so that pages open without code they may not need. */
export function Lazy<P extends object>({ load: loader, props }: { load: Loader<P>; props: P }) {
  const [, setLoads] = useState(0);
  const Component = loaded.get(loader) as ComponentType<P> | undefined;
  useEffect(() => {
    if (loaded.has(loader)) return;
    let live = true;
    void load(loader).then(() => live && setLoads((n) => n + 1));
    return () => {
      live = false;
    };
  }, [loader]);
  return Component ? <Component {...props} /> : <p class="muted">Loading…</p>;
}
