// Where a card goes back to: its natural queue when it is unsuspended or unburied, and its home deck when a
// filtered deck gives it back. Shared by the extension and by the relay's reader of Anki's files.
import { type Card, CardQueue, CardType } from "./model";

/** The queue a card goes back to when it is unsuspended or unburied. */
export function naturalQueue(card: Card): number {
  switch (card.type) {
    case CardType.New:
      return CardQueue.New;
    case CardType.Review:
      return CardQueue.Review;
    default:
      // Learning cards due on a day number (not a timestamp) sit in the day-learning queue.
      return card.due < 1_000_000_000 ? CardQueue.DayLearning : CardQueue.Learning;
  }
}

/** A card given back by a filtered deck: in its home deck, with its own due, in its natural queue. */
export function returnedHome(card: Card): Card {
  if (card.odid === 0) return card;
  const home: Card = { ...card, deckId: card.odid, odid: 0, odue: 0, due: card.odue !== 0 ? card.odue : card.due };
  // A suspended or buried card stays so.
  return card.queue >= 0 ? { ...home, queue: naturalQueue(home) } : home;
}
