import type { Collection } from "../../lib/collection/collection";

/** What every manager section receives: the open collection, a version that changes with it, and a notifier. */
export interface SectionProps {
  col: Collection;
  version: number;
  changed: () => void;
}
