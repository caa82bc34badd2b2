// Checks of the parts of media requests that come from the URL.
import type { IRequest } from "itty-router";
import { StatusError } from "itty-router";
import { SHA1_PATTERN } from "../../shared/media";

export function sha1Param(request: IRequest): string {
  const sha1 = String(request.params.sha1 ?? "");
  if (!SHA1_PATTERN.test(sha1)) {
    throw new StatusError(400, "the file is named by its SHA-1: 40 lower-case hexadecimal characters");
  }
  return sha1;
}

/** Sizes in words for error messages. */
export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
