export function getHealth(): Response {
  return Response.json({ ok: true });
}
