import { describeInterval } from "../../../shared/scheduling";

/** The end of a deck for now, as Anki says it, with when the next card will be ready. */
export function Congratulations({ nextDue, now, onBack }: { nextDue: number | null; now: number; onBack: () => void }) {
  return (
    <div class="congrats" data-testid="congrats">
      <h2>Congratulations! You have finished this deck for now.</h2>
      <p class="muted">{nextDueText(nextDue, now)}</p>
      <button type="button" onClick={onBack}>
        Back to the decks
      </button>
    </div>
  );
}

export function nextDueText(nextDue: number | null, now: number): string {
  if (nextDue === null) return "There are no more cards due in this deck.";
  if (nextDue <= now) return "More cards are due now.";
  const wait = nextDue - now;
  if (wait < 86_400_000 && new Date(nextDue).getDate() === new Date(now).getDate()) {
    return `The next card will be ready in ${describeInterval(wait)}.`;
  }
  return `The next cards are due ${new Date(nextDue).toLocaleDateString(undefined, {
    weekday: "long",
    month: "long",
    day: "numeric",
  })}.`;
}
