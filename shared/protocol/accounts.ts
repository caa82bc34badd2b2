import { z } from "zod";

/** Longest username accepted, in characters after normalisation. */
export const USERNAME_MAX = 64;
/** Shortest and longest password accepted, in characters. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

// Letters and digits of any script, and a few separators people use in names and e-mail addresses.
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{N}._@+-]+$/u;
// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** The form in which usernames are compared: NFKC-normalised, then case-folded. */
export function usernameKey(username: string): string {
  return username.normalize("NFKC").toLowerCase();
}

const username = z
  .string({ error: (issue) => (issue.input === undefined ? "username is missing" : "username must be a string") })
  .transform((value) => value.normalize("NFKC").trim())
  .pipe(
    z
      .string()
      .min(1, { error: "username is empty" })
      .max(USERNAME_MAX, { error: `username is longer than ${USERNAME_MAX} characters` })
      .regex(USERNAME_PATTERN, {
        error: "username may contain only letters, digits and the characters . _ - @ +",
      }),
  );

const password = z
  .string({ error: (issue) => (issue.input === undefined ? "password is missing" : "password must be a string") })
  .transform((value) => value.normalize("NFC"))
  .pipe(
    z
      .string()
      .min(PASSWORD_MIN, { error: `password must be at least ${PASSWORD_MIN} characters long` })
      .max(PASSWORD_MAX, { error: `password is longer than ${PASSWORD_MAX} characters` })
      .refine((value) => !CONTROL_CHARACTERS.test(value), {
        error: "password must not contain control characters",
      }),
  );

/** Body of sign-up and log-in requests. */
export const Credentials = z.strictObject(
  { username, password },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unexpected field ${issue.keys.map((k) => `"${k}"`).join(", ")}; expected username and password`
        : "the body must be a JSON object with username and password",
  },
);
export type Credentials = z.output<typeof Credentials>;

/** Longest invitation code accepted. */
export const INVITATION_MAX = 200;

/** Body of a sign-up: the credentials, and the invitation code when the relay's owner requires one. */
export const SignUpRequest = z.strictObject(
  {
    username,
    password,
    invitation: z
      .string({ error: "invitation must be a string" })
      .max(INVITATION_MAX, { error: `invitation is longer than ${INVITATION_MAX} characters` })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unexpected field ${issue.keys.map((k) => `"${k}"`).join(", ")}; expected username, password and invitation`
        : "the body must be a JSON object with username and password",
  },
);
export type SignUpRequest = z.output<typeof SignUpRequest>;

/** Body of the delete-account request: the password, asked again. */
export const AccountDeletion = z.strictObject(
  { password },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unexpected field ${issue.keys.map((k) => `"${k}"`).join(", ")}; expected password`
        : "the body must be a JSON object with password",
  },
);
export type AccountDeletion = z.output<typeof AccountDeletion>;

/** Answer to sign-up and log-in. */
export interface SessionCreated {
  token: string;
  username: string;
}

/** Answer to GET /v1/accounts/current. */
export interface AccountInfo {
  username: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Every error the relay answers with has this body. */
export interface ErrorBody {
  error: string;
  /** A machine-readable reason where the client must act on it, such as "stale" for a commit that must pull first. */
  code?: string;
}
