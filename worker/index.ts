// The relay's route table. Each endpoint lives in its own module under routes/.
import { cors, type IRequest, Router, StatusError } from "itty-router";
import { ankiSync } from "./anki/sync-routes";
import { errorResponse } from "./lib/errors";
import { withAuth } from "./lib/with-auth";
import { abandonSession } from "./routes/abandon-session";
import { commitMedia } from "./routes/commit-media";
import { commitPush } from "./routes/commit-push";
import { commitUpload } from "./routes/commit-upload";
import { createAccount } from "./routes/create-account";
import { createSession } from "./routes/create-session";
import { deleteAccount } from "./routes/delete-account";
import { deleteSession } from "./routes/delete-session";
import { findMissingMedia } from "./routes/find-missing-media";
import { getAccount } from "./routes/get-account";
import { getChanges, getCollection } from "./routes/get-changes";
import { getDigest } from "./routes/get-digest";
import { getHealth } from "./routes/get-health";
import { getMediaChanges } from "./routes/get-media-changes";
import { getMediaFile } from "./routes/get-media-file";
import { getMediaUsage } from "./routes/get-media-usage";
import { putChunk } from "./routes/put-chunk";
import { putMediaFile } from "./routes/put-media-file";
import { startSync } from "./routes/start-sync";

// The extension calls the relay from its own origin; bearer tokens (never cookies) make "*" safe here.
const { preflight, corsify } = cors({
  origin: "*",
  allowMethods: ["GET", "POST", "PUT", "DELETE"],
  allowHeaders: ["Authorization", "Content-Type"],
  exposeHeaders: ["Retry-After", "Content-Length"],
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
  .post("/v1/sync/start", withAuth, startSync)
  .get("/v1/sync/changes", withAuth, getChanges)
  .get("/v1/sync/collection", withAuth, getCollection)
  .get("/v1/sync/digest", withAuth, getDigest)
  .put("/v1/sync/pushes/:session/chunks/:chunk", withAuth, putChunk("push"))
  .post("/v1/sync/pushes/:session/commit", withAuth, commitPush)
  .delete("/v1/sync/pushes/:session", withAuth, abandonSession)
  .put("/v1/sync/uploads/:session/chunks/:chunk", withAuth, putChunk("upload"))
  .post("/v1/sync/uploads/:session/commit", withAuth, commitUpload)
  .delete("/v1/sync/uploads/:session", withAuth, abandonSession)
  .get("/v1/media/changes", withAuth, getMediaChanges)
  .get("/v1/media/usage", withAuth, getMediaUsage)
  .post("/v1/media/missing", withAuth, findMissingMedia)
  .put("/v1/media/files/:sha1", withAuth, putMediaFile)
  .get("/v1/media/files/:sha1", withAuth, getMediaFile)
  .post("/v1/media/commit", withAuth, commitMedia)
  // Anki desktop and AnkiDroid, with this relay as their custom sync server.
  .post("/sync/:method", ankiSync)
  .all("*", (request) => {
    throw new StatusError(404, `there is no endpoint ${request.method} ${new URL(request.url).pathname}`);
  });

export default { fetch: router.fetch } satisfies ExportedHandler<Env>;
