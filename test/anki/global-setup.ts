import { ensureAnkiPython } from "./python";

/** Makes the Python environment with Anki's library once for every file of this level. */
export default function setup(): void {
  ensureAnkiPython();
}
