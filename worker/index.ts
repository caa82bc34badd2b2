// The relay's route table. Each endpoint lives in its own module under routes/.
import { cors, type IRequest, Router, StatusError } from "itty-router";
import { errorResponse } from "./lib/errors";
import { withAuth } from "./lib/with-auth";
import { createAccount } from "./routes/create-account";
import { createSession } from "./routes/create-session";
import { deleteAccount } from "./routes/delete-account";
import { deleteSession } from "./routes/delete-session";
import { getAccount } from "./routes/get-account";
import { getHealth } from "./routes/get-health";

// The extension calls the relay from its own origin; bearer tokens (never cookies) make "*" safe here.
const { preflight, corsify } = cors({
  origin: "*",
  allowMethods: ["GET", "POST", "PUT", "DELETE"],
  allowHeaders: ["Authorization", "Content-Type"],
  exposeHeaders: ["Retry-After"],
  maxAge: 7200,
});

const router = Router<IRequest, [Env, ExecutionContext]>({
  before: [preflight],
  catch: errorResponse,
  finally: [corsify],
});

router
  .get("/health", getHealth)
  .post("/v1/accounts", createAccount)
  .get("/v1/accounts/current", withAuth, getAccount)
  .delete("/v1/accounts/current", withAuth, deleteAccount)
  .post("/v1/sessions", createSession)
  .delete("/v1/sessions/current", withAuth, deleteSession)
  .all("*", (request) => {
    throw new StatusError(404, `there is no endpoint ${request.method} ${new URL(request.url).pathname}`);
  });

export default { fetch: router.fetch } satisfies ExportedHandler<Env>;
