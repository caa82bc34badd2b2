import { StatusError } from "itty-router";
import { AccountDeletion, usernameKey } from "../../shared/protocol/accounts";
import { deleteUser, findUserById } from "../db/accounts";
import { deleteAccountBlobs } from "../lib/media-bucket";
import { verifyPassword } from "../lib/password";
import { claimLoginAttempt, settleLoginAttempt } from "../lib/rate-limit";
import { clientAddress, readBody } from "../lib/request";
import type { AuthedRequest } from "../lib/with-auth";

/** DELETE /v1/accounts/current with the password: the account and everything it owns (its media files in R2
 * too) are removed. */
export async function deleteAccount(request: AuthedRequest, env: Env): Promise<Response> {
  const { password } = await readBody(request, AccountDeletion);
  const user = await findUserById(env.DB, request.user.id);
  if (!user) throw new StatusError(401, "this account no longer exists");
  const who = { usernameKey: usernameKey(user.username), address: clientAddress(request) };
  const now = Date.now();
  await claimLoginAttempt(env.DB, who, now);
  const valid = await verifyPassword(password, user.password);
  await settleLoginAttempt(env.DB, who, now, valid);
  if (!valid) throw new StatusError(403, "wrong password; the account was not deleted");
  // Media first: if that fails the account is still there, and deleting it again finishes the work.
  await deleteAccountBlobs(env.MEDIA, user.id);
  await deleteUser(env.DB, user.id);
  return new Response(null, { status: 204 });
}
