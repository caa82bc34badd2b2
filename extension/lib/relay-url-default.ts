/** The relay address a fresh profile starts with: set at build time by `npm start`, empty otherwise. */
export const DEFAULT_RELAY_URL: string = import.meta.env.WXT_DEFAULT_RELAY_URL ?? "";
