import { StatusError } from "itty-router";

/**
 * The one place where thrown errors become responses: a StatusError keeps its status and message, anything
 * else is a 500 whose body says nothing about the cause. Logs carry the error's name only: never a stack, a
 * body or a header.
 */
export function errorResponse(error: unknown, request: Request): Response {
  if (error instanceof StatusError && error.status >= 400 && error.status < 500) {
    const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
    if (typeof error.retryAfter === "number") headers.set("retry-after", String(error.retryAfter));
    if (error.authenticate) headers.set("www-authenticate", 'Bearer realm="relay"');
    const body = typeof error.code === "string" ? { error: error.message, code: error.code } : { error: error.message };
    return new Response(JSON.stringify(body), { status: error.status, headers });
  }
  const name = error instanceof Error ? error.name : typeof error;
  console.error(`relay: unexpected ${name} on ${request.method} ${new URL(request.url).pathname}`);
  return Response.json({ error: "the relay failed on this request; try again later" }, { status: 500 });
}
